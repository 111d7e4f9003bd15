package dev.ferry.translate;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Reads a Bedrock Converse response as an OpenAI {@code chat.completion}: text blocks
 * joined (reasoning left out), {@code toolUse} blocks as tool calls, the stop reason and
 * the usage mapped.
 */
public final class ConverseToChat {

	private final JsonMapper mapper;

	public ConverseToChat(JsonMapper mapper) {
		this.mapper = mapper;
	}

	/**
	 * The completion for one Converse response.
	 * @param response the response: {@code {output: {message}, stopReason, usage}}
	 * @param id the completion's id, as Converse gives none
	 * @param model the job's model
	 * @param created when the batch ended, in Unix seconds
	 * @return the completion
	 */
	public ObjectNode completion(JsonNode response, String id, String model, long created) {
		ObjectNode completion = this.mapper.createObjectNode()
			.put("id", id)
			.put("object", "chat.completion")
			.put("created", created)
			.put("model", model);
		ObjectNode choice = completion.putArray("choices").addObject().put("index", 0);
		ObjectNode message = choice.putObject("message").put("role", "assistant");
		StringBuilder text = new StringBuilder();
		ArrayNode calls = this.mapper.createArrayNode();
		for (JsonNode block : response.path("output").path("message").path("content")) {
			if (block.has("text")) {
				text.append(block.path("text").asString(""));
			}
			JsonNode use = block.path("toolUse");
			if (use.isObject()) {
				ObjectNode call = calls.addObject()
					.put("id", use.path("toolUseId").asString(""))
					.put("type", "function");
				call.putObject("function")
					.put("name", use.path("name").asString(""))
					.put("arguments", use.path("input").isObject() ? use.get("input").toString() : "{}");
			}
		}
		if (text.isEmpty() && !calls.isEmpty()) {
			message.putNull("content");
		}
		else {
			message.put("content", text.toString());
		}
		if (!calls.isEmpty()) {
			message.set("tool_calls", calls);
		}
		choice.putNull("logprobs");
		choice.put("finish_reason", finishReason(response.path("stopReason").asString("")));
		JsonNode usage = response.path("usage");
		long input = usage.path("inputTokens").asLong(0);
		long output = usage.path("outputTokens").asLong(0);
		ObjectNode mapped = completion.putObject("usage")
			.put("prompt_tokens", input)
			.put("completion_tokens", output)
			.put("total_tokens", usage.path("totalTokens").asLong(input + output));
		mapped.putObject("prompt_tokens_details").put("cached_tokens", usage.path("cacheReadInputTokens").asLong(0));
		return completion;
	}

	/**
	 * OpenAI's finish reason for a Converse stop reason.
	 * @param reason Converse's
	 * @return OpenAI's
	 */
	static String finishReason(String reason) {
		return switch (reason) {
			case "max_tokens", "model_context_window_exceeded" -> "length";
			case "tool_use" -> "tool_calls";
			case "guardrail_intervened", "content_filtered" -> "content_filter";
			default -> "stop";
		};
	}

}
