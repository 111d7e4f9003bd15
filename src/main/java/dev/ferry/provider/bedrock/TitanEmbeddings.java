package dev.ferry.provider.bedrock;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import dev.ferry.translate.SingleEmbeddings;

/**
 * OpenAI embedding requests as Amazon Titan Text Embeddings bodies, and back: one text
 * per request ({@code inputText}), {@code dimensions} as they are; the answer's
 * {@code embedding} and {@code inputTextTokenCount} as an OpenAI embeddings list.
 */
final class TitanEmbeddings {

	private final JsonMapper mapper;

	TitanEmbeddings(JsonMapper mapper) {
		this.mapper = mapper;
	}

	ObjectNode request(JsonNode body) {
		ObjectNode request = this.mapper.createObjectNode().put("inputText", SingleEmbeddings.text(body, "Titan"));
		if (body.has("dimensions")) {
			request.set("dimensions", body.get("dimensions"));
		}
		return request;
	}

	ObjectNode response(JsonNode output, String model) {
		return SingleEmbeddings.list(this.mapper, output.path("embedding"), model,
				output.path("inputTextTokenCount").asLong(0));
	}

}
