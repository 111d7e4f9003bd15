package dev.ferry.conformance;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * What the replicas answer a request with: its last input text echoed, in the response
 * shape of its endpoint.
 */
final class Echo {

	private Echo() {
	}

	/**
	 * The last input text of a request body, whatever its endpoint.
	 * @param body the body
	 * @return the text, empty when there is none
	 */
	static String text(JsonNode body) {
		JsonNode messages = body.path("messages");
		if (messages.isArray() && !messages.isEmpty()) {
			return content(messages.get(messages.size() - 1).path("content"));
		}
		JsonNode input = body.path("input");
		if (input.isArray() && !input.isEmpty()) {
			JsonNode last = input.get(input.size() - 1);
			return last.isString() ? last.asString() : content(last.path("content"));
		}
		return input.asString(body.path("prompt").asString(""));
	}

	private static String content(JsonNode content) {
		if (content.isString()) {
			return content.asString();
		}
		StringBuilder text = new StringBuilder();
		content.forEach((part) -> text.append(part.path("text").asString("")));
		return text.toString();
	}

	/**
	 * The endpoint's response to a request.
	 * @param mapper the mapper
	 * @param endpoint the endpoint
	 * @param body the request body
	 * @param id the response id
	 * @return the response body
	 */
	static JsonNode response(JsonMapper mapper, String endpoint, JsonNode body, String id) {
		String model = body.path("model").asString("replica-model");
		String echo = "echo: " + text(body);
		ObjectNode usage = mapper.createObjectNode()
			.put("prompt_tokens", 3)
			.put("completion_tokens", 2)
			.put("total_tokens", 5);
		return switch (endpoint) {
			case "/v1/embeddings" -> {
				ObjectNode list = mapper.createObjectNode().put("object", "list").put("model", model);
				list.putArray("data")
					.addObject()
					.put("object", "embedding")
					.put("index", 0)
					.putArray("embedding")
					.add(0.25)
					.add(0.5);
				list.set("usage", usage);
				yield list;
			}
			case "/v1/responses" -> {
				ObjectNode response = mapper.createObjectNode()
					.put("id", id)
					.put("object", "response")
					.put("status", "completed")
					.put("model", model);
				response.putArray("output")
					.addObject()
					.put("type", "message")
					.put("role", "assistant")
					.putArray("content")
					.addObject()
					.put("type", "output_text")
					.put("text", echo);
				response.set("usage", usage);
				yield response;
			}
			default -> {
				ObjectNode completion = mapper.createObjectNode()
					.put("id", id)
					.put("object", "chat.completion")
					.put("created", 1_700_000_000L)
					.put("model", model);
				completion.putArray("choices")
					.addObject()
					.put("index", 0)
					.put("finish_reason", "stop")
					.putObject("message")
					.put("role", "assistant")
					.put("content", echo);
				completion.set("usage", usage);
				yield completion;
			}
		};
	}

}
