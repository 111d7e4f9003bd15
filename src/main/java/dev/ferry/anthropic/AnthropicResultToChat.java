package dev.ferry.anthropic;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import dev.ferry.batch.FerryIds;

/**
 * Translates Anthropic result lines into OpenAI batch output and error lines, with each
 * {@code message} turned into a {@code chat.completion}.
 */
final class AnthropicResultToChat {

	private final JsonMapper mapper;

	AnthropicResultToChat(JsonMapper mapper) {
		this.mapper = mapper;
	}

	/**
	 * Whether a result line belongs in the output file, rather than the error file.
	 * @param result the Anthropic line
	 * @return true for {@code succeeded}
	 */
	static boolean succeeded(JsonNode result) {
		return "succeeded".equals(result.path("result").path("type").asString(""));
	}

	/**
	 * The OpenAI line for an Anthropic result line.
	 * @param result the Anthropic line
	 * @param customId the caller's {@code custom_id}
	 * @param batchId the batch, from which stable line ids are derived
	 * @param created the {@code created} time of completions, in Unix seconds
	 * @param translate whether the message becomes a {@code chat.completion}, or stays a
	 * Messages response for {@code /v1/messages} batches
	 * @return the output or error line
	 */
	ObjectNode line(JsonNode result, String customId, String batchId, long created, boolean translate) {
		String seed = FerryIds.stable(batchId + "\n" + customId);
		ObjectNode line = this.mapper.createObjectNode();
		line.put("id", "batch_req_" + seed);
		line.put("custom_id", customId);
		JsonNode outcome = result.path("result");
		switch (outcome.path("type").asString("")) {
			case "succeeded" -> {
				ObjectNode response = line.putObject("response");
				response.put("status_code", 200);
				response.put("request_id", "req_" + seed);
				response.set("body", translate ? completion(outcome.path("message"), created) : outcome.get("message"));
				line.putNull("error");
			}
			case "expired" -> batchError(line, "batch_expired",
					"This request could not be executed before the completion window expired.");
			case "canceled" -> batchError(line, "batch_cancelled", "This request was cancelled before it could run.");
			default -> {
				JsonNode error = outcome.path("error").path("error");
				String type = error.path("type").asString("api_error");
				ObjectNode response = line.putObject("response");
				response.put("status_code", AnthropicUpstreamErrors.statusFor(type));
				response.put("request_id", outcome.path("error").path("request_id").asString("req_" + seed));
				ObjectNode body = response.putObject("body").putObject("error");
				body.put("message", error.path("message").asString("request failed"));
				body.put("type", type);
				body.putNull("param");
				body.putNull("code");
				line.putNull("error");
			}
		}
		return line;
	}

	private static void batchError(ObjectNode line, String code, String message) {
		line.putNull("response");
		line.putObject("error").put("code", code).put("message", message);
	}

	/**
	 * A {@code chat.completion} for an Anthropic {@code message}.
	 * @param message the message
	 * @param created the {@code created} time, in Unix seconds
	 * @return the completion
	 */
	ObjectNode completion(JsonNode message, long created) {
		ObjectNode completion = this.mapper.createObjectNode();
		completion.put("id", message.path("id").asString(""));
		completion.put("object", "chat.completion");
		completion.put("created", created);
		completion.put("model", message.path("model").asString(""));
		ObjectNode choice = completion.putArray("choices").addObject();
		choice.put("index", 0);
		ObjectNode chatMessage = choice.putObject("message");
		chatMessage.put("role", "assistant");
		StringBuilder text = new StringBuilder();
		ArrayNode toolCalls = this.mapper.createArrayNode();
		for (JsonNode block : message.path("content")) {
			switch (block.path("type").asString("")) {
				case "text" -> text.append(block.path("text").asString(""));
				case "tool_use" -> MessagesToChat.addToolCall(toolCalls, block);
				default -> {
					// thinking and server-tool blocks have no chat.completion field
				}
			}
		}
		chatMessage.put("content", text.isEmpty() ? null : text.toString());
		chatMessage.putNull("refusal");
		if (!toolCalls.isEmpty()) {
			chatMessage.set("tool_calls", toolCalls);
		}
		choice.putNull("logprobs");
		choice.put("finish_reason", finishReason(message.path("stop_reason").asString("")));
		completion.set("usage", usage(message.path("usage")));
		return completion;
	}

	static String finishReason(String stopReason) {
		return switch (stopReason) {
			case "max_tokens", "model_context_window_exceeded" -> "length";
			case "tool_use" -> "tool_calls";
			case "refusal" -> "content_filter";
			default -> "stop";
		};
	}

	private ObjectNode usage(JsonNode usage) {
		long input = usage.path("input_tokens").asLong(0);
		long cacheRead = usage.path("cache_read_input_tokens").asLong(0);
		long cacheWrite = usage.path("cache_creation_input_tokens").asLong(0);
		long output = usage.path("output_tokens").asLong(0);
		long prompt = input + cacheRead + cacheWrite;
		ObjectNode out = this.mapper.createObjectNode();
		out.put("prompt_tokens", prompt);
		out.put("completion_tokens", output);
		out.put("total_tokens", prompt + output);
		out.putObject("prompt_tokens_details").put("cached_tokens", cacheRead).put("cache_write_tokens", cacheWrite);
		JsonNode reasoning = usage.path("output_tokens_details").path("reasoning_tokens");
		out.putObject("completion_tokens_details").put("reasoning_tokens", reasoning.asLong(0));
		return out;
	}

}
