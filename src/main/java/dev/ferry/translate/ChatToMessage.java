package dev.ferry.translate;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Translates OpenAI batch output and error lines into Anthropic result lines, with the
 * {@code chat.completion} turned into an Anthropic {@code message}.
 */
public final class ChatToMessage {

	private final JsonMapper mapper;

	public ChatToMessage(JsonMapper mapper) {
		this.mapper = mapper;
	}

	/**
	 * The Anthropic result line for an OpenAI output or error line.
	 * @param line the OpenAI line
	 * @return {@code {custom_id, result}}
	 */
	public ObjectNode resultLine(JsonNode line) {
		ObjectNode out = this.mapper.createObjectNode();
		out.put("custom_id", line.path("custom_id").asString(""));
		ObjectNode result = out.putObject("result");
		JsonNode response = line.path("response");
		String code = line.path("error").path("code").asString("");
		if (response.isObject() && response.path("status_code").asInt() == 200) {
			result.put("type", "succeeded");
			JsonNode body = response.path("body");
			// The answer to a Messages request is a message already.
			result.set("message", body.path("type").asString("").equals("message") ? body : message(body));
		}
		else if (code.equals("batch_expired")) {
			result.put("type", "expired");
		}
		else if (code.equals("batch_cancelled")) {
			result.put("type", "canceled");
		}
		else {
			result.put("type", "errored");
			ObjectNode error = result.putObject("error");
			error.put("type", "error");
			ObjectNode inner = error.putObject("error");
			if (response.isObject()) {
				inner.put("type", AnthropicErrorTypes.typeFor(response.path("status_code").asInt(500)));
				inner.put("message", response.path("body").path("error").path("message").asString("request failed"));
			}
			else {
				inner.put("type", "api_error");
				inner.put("message", line.path("error").path("message").asString("request failed"));
			}
		}
		return out;
	}

	/**
	 * An Anthropic message for a {@code chat.completion}.
	 * @param completion the completion
	 * @return the message
	 */
	public ObjectNode message(JsonNode completion) {
		ObjectNode message = this.mapper.createObjectNode();
		String id = completion.path("id").asString("");
		message.put("id", id.startsWith("msg_") ? id : "msg_" + id);
		message.put("type", "message");
		message.put("role", "assistant");
		message.put("model", completion.path("model").asString(""));
		JsonNode choice = completion.path("choices").path(0);
		ArrayNode content = message.putArray("content");
		String text = choice.path("message").path("content").asString("");
		if (!text.isEmpty()) {
			content.addObject().put("type", "text").put("text", text);
		}
		for (JsonNode call : choice.path("message").path("tool_calls")) {
			ObjectNode toolUse = content.addObject();
			toolUse.put("type", "tool_use");
			toolUse.put("id", call.path("id").asString(""));
			toolUse.put("name", call.path("function").path("name").asString(""));
			toolUse.set("input", arguments(call.path("function").path("arguments").asString("{}")));
		}
		message.put("stop_reason", stopReason(choice.path("finish_reason").asString("")));
		message.putNull("stop_sequence");
		JsonNode usage = completion.path("usage");
		long cached = usage.path("prompt_tokens_details").path("cached_tokens").asLong(0);
		ObjectNode anthropicUsage = message.putObject("usage");
		anthropicUsage.put("input_tokens", usage.path("prompt_tokens").asLong(0) - cached);
		anthropicUsage.put("output_tokens", usage.path("completion_tokens").asLong(0));
		anthropicUsage.put("cache_read_input_tokens", cached);
		anthropicUsage.put("cache_creation_input_tokens", 0);
		return message;
	}

	public static String stopReason(String finishReason) {
		return switch (finishReason) {
			case "length" -> "max_tokens";
			case "tool_calls", "function_call" -> "tool_use";
			case "content_filter" -> "refusal";
			default -> "end_turn";
		};
	}

	/** Tool arguments as an object; arguments that are not JSON are kept as a string. */
	private JsonNode arguments(String arguments) {
		try {
			JsonNode parsed = this.mapper.readTree(arguments);
			if (parsed.isObject()) {
				return parsed;
			}
		}
		catch (JacksonException ex) {
			// fall through: the model produced invalid JSON
		}
		return this.mapper.createObjectNode().put("_raw_arguments", arguments);
	}

}
