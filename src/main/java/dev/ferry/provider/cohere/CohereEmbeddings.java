package dev.ferry.provider.cohere;

import java.util.Set;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import dev.ferry.provider.cohere.CohereChat.UnmappableException;
import dev.ferry.translate.SingleEmbeddings;

/**
 * Cohere's embed jobs and OpenAI's {@code /v1/embeddings}, both ways: an embedding
 * request becomes one {@code embed-input} row (one text), and an {@code embed-output} row
 * becomes an OpenAI embedding list. An embed job embeds one text per row and gives floats
 * at the model's own size, so several inputs in one request, {@code dimensions} and
 * {@code base64} output are refused.
 */
final class CohereEmbeddings {

	private static final Set<String> ACCEPTED = Set.of("input", "model", "encoding_format");

	private final JsonMapper mapper;

	CohereEmbeddings(JsonMapper mapper) {
		this.mapper = mapper;
	}

	/**
	 * The text of an embedding request.
	 * @param body the OpenAI body
	 * @return the one text to embed
	 * @throws UnmappableException naming what an embed job cannot take
	 */
	String text(JsonNode body) {
		for (String field : body.propertyNames()) {
			if (!ACCEPTED.contains(field)) {
				throw new UnmappableException(
						field + ": Cohere's embed jobs have no equal (accepted: input, encoding_format (float))");
			}
		}
		if (!"float".equals(body.path("encoding_format").asString("float"))) {
			throw new UnmappableException("encoding_format: Cohere's embed jobs give floats (accepted: float)");
		}
		JsonNode input = body.path("input");
		if (input.isArray() && input.size() == 1) {
			input = input.get(0);
		}
		if (!input.isString() || input.stringValue().isEmpty()) {
			throw new UnmappableException("input: Cohere's embed jobs embed one text per request (accepted: a "
					+ "non-empty string, or an array of one; split longer arrays into requests of their own)");
		}
		return input.stringValue();
	}

	/**
	 * An OpenAI embedding list for an {@code embed-output} row.
	 * @param row the row, with its {@code embeddings.float}
	 * @param model the job's model
	 * @return the list
	 */
	ObjectNode list(JsonNode row, String model) {
		// Embed jobs report no token usage.
		return SingleEmbeddings.list(this.mapper, row.path("embeddings").path("float"), model, 0);
	}

}
