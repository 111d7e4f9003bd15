package dev.ferry.provider.bedrock;

import java.util.Set;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import dev.ferry.translate.ChatToMessages.TranslationException;

/**
 * OpenAI embedding requests as Cohere Embed bodies on Bedrock, and back: the input's
 * texts (one, or up to 96) as {@code texts}, with Cohere's {@code input_type} (taken from
 * the request, {@code search_document} when it names none) and {@code truncate}; the
 * answer's vectors (a plain list, or the floats of one listed by type) as an OpenAI
 * embeddings list. Bedrock's Cohere answer reports no token counts, so usage reads 0.
 */
final class CohereEmbeddings {

	/** Cohere Embed on Bedrock takes at most this many texts in one call. */
	static final int MAX_TEXTS = 96;

	private static final Set<String> ACCEPTED = Set.of("model", "input", "encoding_format", "input_type", "truncate");

	private static final Set<String> INPUT_TYPES = Set.of("search_document", "search_query", "classification",
			"clustering");

	private final JsonMapper mapper;

	CohereEmbeddings(JsonMapper mapper) {
		this.mapper = mapper;
	}

	ObjectNode request(JsonNode body) {
		for (String field : body.propertyNames()) {
			if (!ACCEPTED.contains(field)) {
				throw new TranslationException(field + ": Cohere Embed on Bedrock has no equal (accepted: input, "
						+ "encoding_format (float), input_type, truncate)");
			}
		}
		String encoding = body.path("encoding_format").asString("float");
		if (!encoding.equals("float")) {
			throw new TranslationException("encoding_format: '" + encoding + "' (accepted: float)");
		}
		String inputType = body.path("input_type").asString("search_document");
		if (!INPUT_TYPES.contains(inputType)) {
			throw new TranslationException("input_type: '" + inputType + "' (accepted: "
					+ String.join(", ", new java.util.TreeSet<>(INPUT_TYPES)) + ")");
		}
		ObjectNode request = this.mapper.createObjectNode();
		ArrayNode texts = request.putArray("texts");
		JsonNode input = body.path("input");
		if (input.isString()) {
			texts.add(input.stringValue());
		}
		else if (input.isArray() && !input.isEmpty() && input.size() <= MAX_TEXTS) {
			for (JsonNode text : input) {
				if (!text.isString()) {
					throw new TranslationException("input: Cohere Embed takes texts, not tokens (accepted: a string, "
							+ "or an array of 1 to " + MAX_TEXTS + " strings)");
				}
				texts.add(text.stringValue());
			}
		}
		else {
			throw new TranslationException(
					"input: accepted: a string, or an array of 1 to " + MAX_TEXTS + " strings, for Cohere Embed");
		}
		request.put("input_type", inputType);
		if (body.path("truncate").isString()) {
			request.put("truncate", body.path("truncate").asString());
		}
		return request;
	}

	ObjectNode response(JsonNode output, String model) {
		JsonNode embeddings = output.path("embeddings");
		JsonNode vectors = embeddings.isObject() ? embeddings.path("float") : embeddings;
		ObjectNode list = this.mapper.createObjectNode().put("object", "list");
		ArrayNode data = list.putArray("data");
		int index = 0;
		for (JsonNode vector : vectors) {
			data.addObject().put("object", "embedding").put("index", index++).set("embedding", vector);
		}
		list.put("model", model);
		list.putObject("usage").put("prompt_tokens", 0).put("total_tokens", 0);
		return list;
	}

}
