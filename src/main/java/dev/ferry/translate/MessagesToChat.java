package dev.ferry.translate;

import java.util.Set;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

import dev.ferry.batch.ApiError;

/**
 * Translates an Anthropic Messages request into an OpenAI {@code chat.completions} body,
 * following the provider mapping tables in reverse. Parameters with no OpenAI equivalent
 * are refused, naming the request, rather than silently dropped.
 */
public final class MessagesToChat {

	private static final JsonNodeFactory json = JsonNodeFactory.instance;

	private static final Set<String> UNSUPPORTED = Set.of("top_k", "thinking", "container", "mcp_servers",
			"service_tier", "output_config", "inference_geo", "cache_control", "context_management");

	private MessagesToChat() {
	}

	/**
	 * The chat body for one request.
	 * @param customId the request's id, for error messages
	 * @param params the Messages params
	 * @return the chat.completions body
	 */
	public static ObjectNode translate(String customId, JsonNode params) {
		for (String field : UNSUPPORTED) {
			if (params.has(field)) {
				throw refuse(customId, field, "has no OpenAI chat.completions equivalent");
			}
		}
		if (params.path("stream").asBoolean(false)) {
			throw refuse(customId, "stream", "cannot be true in a batch");
		}
		ObjectNode chat = json.objectNode();
		copyIfPresent(params, "model", chat, "model");
		ArrayNode messages = chat.putArray("messages");
		system(params.get("system"), messages);
		for (JsonNode message : params.path("messages")) {
			message(customId, message, messages);
		}
		copyIfPresent(params, "max_tokens", chat, "max_completion_tokens");
		copyIfPresent(params, "temperature", chat, "temperature");
		copyIfPresent(params, "top_p", chat, "top_p");
		if (params.has("stop_sequences")) {
			chat.set("stop", params.get("stop_sequences"));
		}
		if (params.path("metadata").has("user_id")) {
			chat.set("user", params.path("metadata").get("user_id"));
		}
		tools(params, chat);
		return chat;
	}

	private static void system(JsonNode system, ArrayNode messages) {
		if (system == null || system.isNull()) {
			return;
		}
		ObjectNode message = messages.addObject();
		message.put("role", "system");
		message.put("content", system.isString() ? system.stringValue() : joinedText(system));
	}

	private static void message(String customId, JsonNode message, ArrayNode messages) {
		String role = message.path("role").asString("");
		JsonNode content = message.get("content");
		if (content == null || content.isString()) {
			ObjectNode out = messages.addObject();
			out.put("role", role);
			out.set("content", (content != null) ? content : json.stringNode(""));
			return;
		}
		if (role.equals("assistant")) {
			assistant(customId, content, messages);
		}
		else {
			user(customId, content, messages);
		}
	}

	private static void assistant(String customId, JsonNode blocks, ArrayNode messages) {
		ObjectNode out = messages.addObject();
		out.put("role", "assistant");
		StringBuilder text = new StringBuilder();
		ArrayNode toolCalls = json.arrayNode();
		for (JsonNode block : blocks) {
			switch (block.path("type").asString("")) {
				case "text" -> text.append(block.path("text").asString(""));
				case "tool_use" -> addToolCall(toolCalls, block);
				default -> throw refuse(customId, "messages", "has an assistant '" + block.path("type").asString("")
						+ "' block, which has no OpenAI equivalent");
			}
		}
		out.put("content", text.toString());
		if (!toolCalls.isEmpty()) {
			out.set("tool_calls", toolCalls);
		}
	}

	/**
	 * Adds the OpenAI tool call for an Anthropic {@code tool_use} block, its input
	 * written as the JSON string OpenAI carries.
	 * @param toolCalls the calls to add to
	 * @param toolUse the block
	 */
	static void addToolCall(ArrayNode toolCalls, JsonNode toolUse) {
		ObjectNode call = toolCalls.addObject();
		call.put("id", toolUse.path("id").asString(""));
		call.put("type", "function");
		ObjectNode function = call.putObject("function");
		function.put("name", toolUse.path("name").asString(""));
		function.put("arguments", toolUse.path("input").toString());
	}

	/** User blocks: tool results become tool messages, the rest one user message. */
	private static void user(String customId, JsonNode blocks, ArrayNode messages) {
		ArrayNode parts = json.arrayNode();
		for (JsonNode block : blocks) {
			switch (block.path("type").asString("")) {
				case "text" -> parts.addObject().put("type", "text").put("text", block.path("text").asString(""));
				case "image" -> parts.add(image(customId, block.path("source")));
				case "tool_result" -> {
					ObjectNode tool = messages.addObject();
					tool.put("role", "tool");
					tool.put("tool_call_id", block.path("tool_use_id").asString(""));
					JsonNode content = block.path("content");
					tool.put("content", content.isString() ? content.stringValue() : joinedText(content));
				}
				default -> throw refuse(customId, "messages",
						"has a user '" + block.path("type").asString("") + "' block, which has no OpenAI equivalent");
			}
		}
		if (!parts.isEmpty()) {
			ObjectNode out = messages.addObject();
			out.put("role", "user");
			out.set("content", parts);
		}
	}

	private static ObjectNode image(String customId, JsonNode source) {
		String url = switch (source.path("type").asString("")) {
			case "base64" ->
				"data:" + source.path("media_type").asString("") + ";base64," + source.path("data").asString("");
			case "url" -> source.path("url").asString("");
			default -> throw refuse(customId, "messages",
					"has an image source of type '" + source.path("type").asString("") + "' (expected: base64 or url)");
		};
		ObjectNode part = json.objectNode();
		part.put("type", "image_url");
		part.putObject("image_url").put("url", url);
		return part;
	}

	private static void tools(JsonNode params, ObjectNode chat) {
		if (params.has("tools")) {
			ArrayNode tools = chat.putArray("tools");
			for (JsonNode tool : params.get("tools")) {
				ObjectNode function = tools.addObject().put("type", "function").putObject("function");
				copyIfPresent(tool, "name", function, "name");
				copyIfPresent(tool, "description", function, "description");
				copyIfPresent(tool, "input_schema", function, "parameters");
				copyIfPresent(tool, "strict", function, "strict");
			}
		}
		JsonNode choice = params.get("tool_choice");
		if (choice == null) {
			return;
		}
		switch (choice.path("type").asString("")) {
			case "auto" -> chat.put("tool_choice", "auto");
			case "any" -> chat.put("tool_choice", "required");
			case "none" -> chat.put("tool_choice", "none");
			case "tool" -> chat.putObject("tool_choice")
				.put("type", "function")
				.putObject("function")
				.put("name", choice.path("name").asString(""));
			default -> {
			}
		}
		if (choice.path("disable_parallel_tool_use").asBoolean(false)) {
			chat.put("parallel_tool_calls", false);
		}
	}

	private static String joinedText(JsonNode blocks) {
		StringBuilder text = new StringBuilder();
		for (JsonNode block : blocks) {
			if (block.path("type").asString("").equals("text")) {
				text.append(text.isEmpty() ? "" : "\n").append(block.path("text").asString(""));
			}
		}
		return text.toString();
	}

	static void copyIfPresent(JsonNode from, String field, ObjectNode to, String as) {
		JsonNode value = from.get(field);
		if (value != null && !value.isNull()) {
			to.set(as, value);
		}
	}

	private static ApiError refuse(String customId, String field, String why) {
		return ApiError.invalid("requests", "request '" + customId + "': " + field + " " + why);
	}

}
