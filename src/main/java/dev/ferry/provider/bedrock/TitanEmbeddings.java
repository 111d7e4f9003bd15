package dev.ferry.provider.bedrock;

import java.util.Set;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import dev.ferry.translate.ChatToMessages.TranslationException;

/**
 * OpenAI embedding requests as Amazon Titan Text Embeddings bodies, and back: one text
 * per request ({@code inputText}), {@code dimensions} as they are; the answer's
 * {@code embedding} and {@code inputTextTokenCount} as an OpenAI embeddings list.
 */
final class TitanEmbeddings {

	private static final Set<String> ACCEPTED = Set.of("model", "input", "dimensions", "encoding_format");

	private final JsonMapper mapper;

	TitanEmbeddings(JsonMapper mapper) {
		this.mapper = mapper;
	}

	ObjectNode request(JsonNode body) {
		for (String field : body.propertyNames()) {
			if (!ACCEPTED.contains(field)) {
				throw new TranslationException(
						field + ": Titan embeddings have no equal (accepted: input, dimensions, encoding_format)");
			}
		}
		JsonNode input = body.path("input");
		if (input.isArray() && input.size() == 1) {
			input = input.get(0);
		}
		if (!input.isString()) {
			throw new TranslationException(
					"input: Titan embeds one text per request (accepted: a string, or an array of one string)");
		}
		if (!"float".equals(body.path("encoding_format").asString("float"))) {
			throw new TranslationException(
					"encoding_format: '" + body.path("encoding_format").asString() + "' (accepted: float)");
		}
		ObjectNode request = this.mapper.createObjectNode().put("inputText", input.stringValue());
		if (body.has("dimensions")) {
			request.set("dimensions", body.get("dimensions"));
		}
		return request;
	}

	ObjectNode response(JsonNode output, String model) {
		ObjectNode list = this.mapper.createObjectNode().put("object", "list");
		list.putArray("data")
			.addObject()
			.put("object", "embedding")
			.put("index", 0)
			.set("embedding", output.path("embedding"));
		list.put("model", model);
		long tokens = output.path("inputTextTokenCount").asLong(0);
		list.putObject("usage").put("prompt_tokens", tokens).put("total_tokens", tokens);
		return list;
	}

}
