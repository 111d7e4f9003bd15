package dev.ferry.translate;

import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import dev.ferry.translate.ChatToMessages.TranslationException;

/**
 * Translates an OpenAI {@code chat.completions} body into a Bedrock Converse request, the
 * one shape Bedrock's Converse-type batch jobs take for every model: system messages into
 * {@code system}, user and assistant turns into {@code messages} with text and image
 * blocks, tool calls and results into {@code toolUse} and {@code toolResult} blocks,
 * function tools into {@code toolConfig}, and sampling into {@code inferenceConfig}. A
 * field with no Converse equal is refused, naming it and what is accepted.
 */
public final class ChatToConverse {

	/** OpenAI fields with an {@code inferenceConfig} equal, and its name. */
	private static final Map<String, String> INFERENCE = Map.of("max_tokens", "maxTokens", "max_completion_tokens",
			"maxTokens", "temperature", "temperature", "top_p", "topP");

	private static final Set<String> TRANSLATED = Set.of("model", "messages", "stop", "tools", "tool_choice", "stream",
			"n", "parallel_tool_calls", "store");

	private static final Set<String> IMAGE_FORMATS = Set.of("png", "jpeg", "gif", "webp");

	private final JsonMapper mapper;

	public ChatToConverse(JsonMapper mapper) {
		this.mapper = mapper;
	}

	/**
	 * The Converse request for one chat body.
	 * @param body the chat body; its model is the job's and is not carried
	 * @return the Converse request
	 * @throws TranslationException naming the field that cannot be translated
	 */
	public ObjectNode translate(JsonNode body) {
		TreeSet<String> refused = new TreeSet<>();
		for (String field : body.propertyNames()) {
			if (!INFERENCE.containsKey(field) && !TRANSLATED.contains(field)) {
				refused.add(field);
			}
		}
		if (!refused.isEmpty()) {
			throw new TranslationException("unsupported parameter" + ((refused.size() > 1) ? "s " : " ")
					+ String.join(", ", refused) + ": Bedrock's Converse has no equal (accepted: messages, "
					+ String.join(", ", new TreeSet<>(INFERENCE.keySet()))
					+ ", stop, tools, tool_choice, n (1), parallel_tool_calls (true), stream (false), store (false))");
		}
		if (body.has("n") && body.path("n").asInt(0) != 1) {
			throw new TranslationException("n: Converse returns one choice (accepted: 1)");
		}
		for (String field : new String[] { "stream", "store" }) {
			if (body.path(field).asBoolean(false)) {
				throw new TranslationException(field + ": true has no Converse equal (accepted: false)");
			}
		}
		if (body.has("parallel_tool_calls") && !body.path("parallel_tool_calls").asBoolean(true)) {
			throw new TranslationException("parallel_tool_calls: false has no Converse equal (accepted: true)");
		}
		ObjectNode request = this.mapper.createObjectNode();
		messages(body.path("messages"), request);
		ObjectNode inference = this.mapper.createObjectNode();
		INFERENCE.forEach((field, name) -> {
			if (body.hasNonNull(field)) {
				inference.set(name, body.get(field));
			}
		});
		JsonNode stop = body.path("stop");
		if (stop.isString()) {
			inference.putArray("stopSequences").add(stop.stringValue());
		}
		else if (stop.isArray()) {
			inference.set("stopSequences", stop);
		}
		if (!inference.isEmpty()) {
			request.set("inferenceConfig", inference);
		}
		if (body.has("tools")) {
			toolConfig(body.path("tools"), body.path("tool_choice"), request);
		}
		else if (body.hasNonNull("tool_choice") && !"none".equals(body.path("tool_choice").asString(""))) {
			throw new TranslationException("tool_choice: set without tools");
		}
		return request;
	}

	private void messages(JsonNode messages, ObjectNode request) {
		if (!messages.isArray() || messages.isEmpty()) {
			throw new TranslationException("messages: missing or empty (expected: an array of chat messages)");
		}
		ArrayNode turns = request.putArray("messages");
		int index = 0;
		for (JsonNode message : messages) {
			String where = "messages[" + index++ + "]";
			String role = message.path("role").asString("");
			switch (role) {
				case "system", "developer" -> {
					ArrayNode system = request.has("system") ? (ArrayNode) request.get("system")
							: request.putArray("system");
					system.addAll(content(message.path("content"), where, false));
				}
				case "user" -> turn(turns, "user").addAll(content(message.path("content"), where, true));
				case "assistant" -> assistant(message, where, turn(turns, "assistant"));
				case "tool" -> turn(turns, "user").add(toolResult(message));
				default -> throw new TranslationException(
						where + ".role: '" + role + "' (accepted: system, developer, user, assistant, tool)");
			}
		}
	}

	/** The content of the last turn if it has this role, else of a new one. */
	private ArrayNode turn(ArrayNode turns, String role) {
		JsonNode last = turns.isEmpty() ? null : turns.get(turns.size() - 1);
		if (last != null && role.equals(last.path("role").asString())) {
			return (ArrayNode) last.get("content");
		}
		return turns.addObject().put("role", role).putArray("content");
	}

	private void assistant(JsonNode message, String where, ArrayNode content) {
		JsonNode text = message.path("content");
		if (!text.isMissingNode() && !text.isNull() && !(text.isString() && text.stringValue().isEmpty())) {
			content.addAll(content(text, where, false));
		}
		for (JsonNode call : message.path("tool_calls")) {
			ObjectNode use = content.addObject().putObject("toolUse");
			use.put("toolUseId", call.path("id").asString(""));
			use.put("name", call.path("function").path("name").asString(""));
			use.set("input", object(call.path("function").path("arguments"), where));
		}
	}

	private ObjectNode toolResult(JsonNode message) {
		ObjectNode block = this.mapper.createObjectNode();
		ObjectNode result = block.putObject("toolResult").put("toolUseId", message.path("tool_call_id").asString(""));
		JsonNode content = message.path("content");
		String text = content.isString() ? content.stringValue() : content.toString();
		ArrayNode parts = result.putArray("content");
		try {
			JsonNode parsed = this.mapper.readTree(text);
			if (parsed != null && parsed.isObject()) {
				parts.addObject().set("json", parsed);
				return block;
			}
		}
		catch (JacksonException ex) {
			// Sent as text.
		}
		parts.addObject().put("text", text);
		return block;
	}

	private ArrayNode content(JsonNode content, String where, boolean images) {
		return ChatContent.blocks(this.mapper, content, where, images, this::image);
	}

	/** An image from a base64 data URL; Converse takes the bytes, not a web address. */
	private ObjectNode image(JsonNode imageUrl, String where) {
		String url = imageUrl.isObject() ? imageUrl.path("url").asString("") : imageUrl.asString("");
		int comma = url.indexOf(',');
		String header = (comma > 0) ? url.substring(0, comma) : "";
		String format = header.startsWith("data:image/") && header.endsWith(";base64")
				? header.substring("data:image/".length(), header.length() - ";base64".length()) : "";
		format = format.equals("jpg") ? "jpeg" : format;
		if (!IMAGE_FORMATS.contains(format)) {
			throw new TranslationException(where + ".image_url.url: Converse takes images inline "
					+ "(accepted: a base64 data URL of a png, jpeg, gif or webp image)");
		}
		ObjectNode block = this.mapper.createObjectNode();
		block.putObject("image").put("format", format).putObject("source").put("bytes", url.substring(comma + 1));
		return block;
	}

	private void toolConfig(JsonNode tools, JsonNode choice, ObjectNode request) {
		ObjectNode config = request.putObject("toolConfig");
		ArrayNode specs = config.putArray("tools");
		for (JsonNode tool : tools) {
			if (!"function".equals(tool.path("type").asString(""))) {
				throw new TranslationException("tools: only function tools have a Converse equal");
			}
			JsonNode function = tool.path("function");
			ObjectNode spec = specs.addObject().putObject("toolSpec").put("name", function.path("name").asString(""));
			if (function.has("description")) {
				spec.set("description", function.get("description"));
			}
			spec.putObject("inputSchema")
				.set("json", function.path("parameters").isObject() ? function.get("parameters")
						: this.mapper.createObjectNode().put("type", "object"));
		}
		if (choice.isMissingNode() || choice.isNull() || "auto".equals(choice.asString(""))) {
			return;
		}
		if ("required".equals(choice.asString(""))) {
			config.putObject("toolChoice").putObject("any");
		}
		else if ("function".equals(choice.path("type").asString(""))) {
			config.putObject("toolChoice")
				.putObject("tool")
				.put("name", choice.path("function").path("name").asString());
		}
		else {
			throw new TranslationException(
					"tool_choice: " + choice + " (accepted: auto, required or a function; none has no Converse equal)");
		}
	}

	private JsonNode object(JsonNode arguments, String where) {
		try {
			JsonNode parsed = arguments.isString() ? this.mapper.readTree(arguments.stringValue()) : arguments;
			if (parsed != null && parsed.isObject()) {
				return parsed;
			}
		}
		catch (JacksonException ex) {
			// Refused below.
		}
		throw new TranslationException(where + ".tool_calls: arguments that are not a JSON object");
	}

}
