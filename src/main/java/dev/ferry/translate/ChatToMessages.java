package dev.ferry.translate;

import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Translates an OpenAI {@code chat.completions} request body into Anthropic Messages
 * params, following the provider mapping tables. Parameters Anthropic cannot honour are
 * refused rather than silently dropped; parameters set to their neutral value (such as
 * {@code n: 1}) are accepted and left out.
 */
public final class ChatToMessages {

	private static final Set<String> TRANSLATED = Set.of("model", "messages", "max_tokens", "max_completion_tokens",
			"stop", "temperature", "top_p", "tools", "tool_choice", "parallel_tool_calls", "user", "safety_identifier",
			"response_format");

	/** Parameters accepted only at the value that means "off". */
	private static final Map<String, Object> NEUTRAL = Map.of("stream", false, "n", 1, "logprobs", false,
			"presence_penalty", 0, "frequency_penalty", 0, "store", false);

	private final JsonMapper mapper;

	private final int defaultMaxTokens;

	/**
	 * Creates a translator.
	 * @param mapper the JSON mapper
	 * @param defaultMaxTokens {@code max_tokens} for requests that set none, which
	 * Anthropic requires
	 */
	public ChatToMessages(JsonMapper mapper, int defaultMaxTokens) {
		this.mapper = mapper;
		this.defaultMaxTokens = defaultMaxTokens;
	}

	/**
	 * The Messages params for one chat body.
	 * @param body the chat.completions body
	 * @param defaultModel the batch's model, for bodies that name none
	 * @return the params
	 * @throws TranslationException naming the field that cannot be translated
	 */
	public ObjectNode translate(JsonNode body, @Nullable String defaultModel) {
		if (!body.isObject()) {
			throw new TranslationException("body: expected a JSON object (a chat.completions request)");
		}
		checkParameters(body);
		ObjectNode params = this.mapper.createObjectNode();
		JsonNode model = body.get("model");
		if (model != null && model.isString()) {
			params.put("model", model.stringValue());
		}
		else if (defaultModel != null) {
			params.put("model", defaultModel);
		}
		else {
			throw new TranslationException("model: missing (expected: the Anthropic model to run, such as "
					+ "claude-sonnet-4-5, on the line or on the batch)");
		}
		params.put("max_tokens", maxTokens(body));
		new MessageList(params).addAll(body.path("messages"));
		sampling(body, params);
		JsonNode stop = body.get("stop");
		if (stop != null && !stop.isNull()) {
			params.set("stop_sequences",
					stop.isString() ? this.mapper.createArrayNode().add(stop.stringValue()) : stop);
		}
		JsonNode user = body.has("user") ? body.get("user") : body.get("safety_identifier");
		if (user != null && user.isString()) {
			params.putObject("metadata").put("user_id", user.stringValue());
		}
		tools(body, params);
		responseFormat(body.get("response_format"), params);
		return params;
	}

	/**
	 * Whether a body carries sampling parameters, which Anthropic's newer API versions
	 * refuse.
	 * @param params translated params
	 * @return whether {@code temperature} or {@code top_p} is set
	 */
	public static boolean usesSampling(JsonNode params) {
		return params.has("temperature") || params.has("top_p");
	}

	private static void checkParameters(JsonNode body) {
		Set<String> refused = new TreeSet<>();
		for (String field : body.propertyNames()) {
			if (TRANSLATED.contains(field) || body.get(field).isNull()) {
				continue;
			}
			Object neutral = NEUTRAL.get(field);
			if (neutral == null || !isNeutral(body.get(field), neutral)) {
				refused.add(field);
			}
		}
		if (!refused.isEmpty()) {
			throw new TranslationException("unsupported parameter" + ((refused.size() > 1) ? "s " : " ")
					+ String.join(", ", refused) + " (Anthropic has no equivalent; supported: "
					+ String.join(", ", new TreeSet<>(TRANSLATED)) + ", and stream, n, logprobs, presence_penalty, "
					+ "frequency_penalty, store at their default values)");
		}
	}

	private static boolean isNeutral(JsonNode value, Object neutral) {
		if (neutral instanceof Boolean flag) {
			return value.isBoolean() && value.booleanValue() == flag;
		}
		return value.isNumber() && value.doubleValue() == ((Integer) neutral).doubleValue();
	}

	private int maxTokens(JsonNode body) {
		JsonNode value = body.has("max_completion_tokens") ? body.get("max_completion_tokens") : body.get("max_tokens");
		if (value == null || value.isNull()) {
			return this.defaultMaxTokens;
		}
		if (!value.canConvertToInt() || value.intValue() < 1) {
			throw new TranslationException("max_completion_tokens: " + value + " (expected: an integer of at least 1)");
		}
		return value.intValue();
	}

	private static void sampling(JsonNode body, ObjectNode params) {
		JsonNode temperature = body.get("temperature");
		if (temperature != null && !temperature.isNull()) {
			if (!temperature.isNumber() || temperature.doubleValue() < 0 || temperature.doubleValue() > 1) {
				throw new TranslationException("temperature: " + temperature
						+ " (expected: 0 to 1, Anthropic's range; OpenAI's 1 to 2 has no equivalent)");
			}
			params.set("temperature", temperature);
		}
		JsonNode topP = body.get("top_p");
		if (topP != null && !topP.isNull()) {
			params.set("top_p", topP);
		}
	}

	private void tools(JsonNode body, ObjectNode params) {
		JsonNode tools = body.get("tools");
		if (tools != null && !tools.isNull()) {
			ArrayNode out = params.putArray("tools");
			for (JsonNode tool : tools) {
				if (!"function".equals(tool.path("type").asString(""))) {
					throw new TranslationException(
							"tools: a '" + tool.path("type").asString("") + "' tool (expected: function tools)");
				}
				JsonNode function = tool.path("function");
				ObjectNode translated = out.addObject();
				translated.put("name", function.path("name").asString(""));
				MessagesToChat.copyIfPresent(function, "description", translated, "description");
				JsonNode schema = function.get("parameters");
				translated.set("input_schema",
						(schema != null && schema.isObject()) ? schema
								: this.mapper.createObjectNode()
									.put("type", "object")
									.set("properties", this.mapper.createObjectNode()));
				MessagesToChat.copyIfPresent(function, "strict", translated, "strict");
			}
		}
		ObjectNode choice = toolChoice(body.get("tool_choice"));
		if (body.path("parallel_tool_calls").isBoolean() && !body.get("parallel_tool_calls").booleanValue()) {
			if (choice == null) {
				choice = this.mapper.createObjectNode().put("type", "auto");
			}
			choice.put("disable_parallel_tool_use", true);
		}
		if (choice != null) {
			params.set("tool_choice", choice);
		}
	}

	private @Nullable ObjectNode toolChoice(@Nullable JsonNode choice) {
		if (choice == null || choice.isNull()) {
			return null;
		}
		if (choice.isString()) {
			String type = switch (choice.stringValue()) {
				case "auto" -> "auto";
				case "required" -> "any";
				case "none" -> "none";
				default -> throw new TranslationException(
						"tool_choice: '" + choice.stringValue() + "' (expected: auto, required, none or a function)");
			};
			return this.mapper.createObjectNode().put("type", type);
		}
		String name = choice.path("function").path("name").asString("");
		if (!"function".equals(choice.path("type").asString("")) || name.isEmpty()) {
			throw new TranslationException("tool_choice: " + choice + " (expected: auto, required, none or "
					+ "{\"type\":\"function\",\"function\":{\"name\":…}})");
		}
		return this.mapper.createObjectNode().put("type", "tool").put("name", name);
	}

	private void responseFormat(@Nullable JsonNode format, ObjectNode params) {
		if (format == null || format.isNull() || "text".equals(format.path("type").asString(""))) {
			return;
		}
		JsonNode schema = format.path("json_schema").path("schema");
		if (!"json_schema".equals(format.path("type").asString("")) || !schema.isObject()) {
			throw new TranslationException("response_format: " + format.path("type").asString("?")
					+ " (expected: text, or json_schema with a schema; Anthropic has no schema-less JSON mode)");
		}
		params.putObject("output_config").putObject("format").put("type", "json_schema").set("schema", schema);
	}

	/**
	 * Builds Anthropic's {@code system} and {@code messages}: system and developer
	 * messages are hoisted into {@code system}, tool messages become {@code tool_result}
	 * blocks, and consecutive turns of the same role are merged, as Anthropic requires.
	 */
	private final class MessageList {

		private final ObjectNode params;

		private final ArrayNode messages;

		private @Nullable ArrayNode system;

		MessageList(ObjectNode params) {
			this.params = params;
			this.messages = ChatToMessages.this.mapper.createArrayNode();
		}

		void addAll(JsonNode chatMessages) {
			if (!chatMessages.isArray() || chatMessages.isEmpty()) {
				throw new TranslationException("messages: missing or empty (expected: an array of chat messages)");
			}
			int index = 0;
			for (JsonNode message : chatMessages) {
				add(message, "messages[" + index++ + "]");
			}
			if (this.system != null) {
				this.params.set("system", this.system);
			}
			this.params.set("messages", this.messages);
		}

		private void add(JsonNode message, String where) {
			String role = message.path("role").asString("");
			switch (role) {
				case "system", "developer" -> {
					if (this.system == null) {
						this.system = ChatToMessages.this.mapper.createArrayNode();
					}
					textBlocks(message.get("content"), where, this.system);
				}
				case "user" -> userContent(message.get("content"), where, turn("user"));
				case "assistant" -> assistant(message, where);
				case "tool" -> {
					ObjectNode result = turn("user").addObject();
					result.put("type", "tool_result");
					result.put("tool_use_id", message.path("tool_call_id").asString(""));
					ArrayNode content = result.putArray("content");
					textBlocks(message.get("content"), where, content);
				}
				default -> throw new TranslationException(
						where + ".role: '" + role + "' (expected: system, developer, user, assistant or tool)");
			}
		}

		private void assistant(JsonNode message, String where) {
			ArrayNode content = turn("assistant");
			JsonNode text = message.get("content");
			if (text != null && !text.isNull()) {
				textBlocks(text, where, content);
			}
			int index = 0;
			for (JsonNode call : message.path("tool_calls")) {
				ObjectNode toolUse = content.addObject();
				toolUse.put("type", "tool_use");
				toolUse.put("id", call.path("id").asString(""));
				toolUse.put("name", call.path("function").path("name").asString(""));
				toolUse.set("input", arguments(call.path("function").path("arguments").asString("{}"),
						where + ".tool_calls[" + index++ + "].function.arguments"));
			}
		}

		private JsonNode arguments(String arguments, String where) {
			try {
				JsonNode input = ChatToMessages.this.mapper.readTree(arguments.isBlank() ? "{}" : arguments);
				if (input.isObject()) {
					return input;
				}
			}
			catch (JacksonException ex) {
				// refused below
			}
			throw new TranslationException(where + ": not a JSON object (Anthropic's tool_use input must be one)");
		}

		/** The content of the last turn if it has this role, else of a new turn. */
		private ArrayNode turn(String role) {
			JsonNode last = this.messages.isEmpty() ? null : this.messages.get(this.messages.size() - 1);
			if (last != null && role.equals(last.path("role").asString(""))) {
				return (ArrayNode) last.get("content");
			}
			ObjectNode message = this.messages.addObject();
			message.put("role", role);
			return message.putArray("content");
		}

		private void userContent(@Nullable JsonNode content, String where, ArrayNode out) {
			if (content != null && content.isArray()) {
				int index = 0;
				for (JsonNode part : content) {
					String at = where + ".content[" + index++ + "]";
					switch (part.path("type").asString("")) {
						case "text" -> out.addObject().put("type", "text").put("text", part.path("text").asString(""));
						case "image_url" -> out.add(image(part.path("image_url").path("url").asString(""), at));
						default -> throw new TranslationException(
								at + ".type: '" + part.path("type").asString("") + "' (expected: text or image_url)");
					}
				}
				return;
			}
			textBlocks(content, where, out);
		}

		/** Text content, a string or text parts, as text blocks. */
		private void textBlocks(@Nullable JsonNode content, String where, ArrayNode out) {
			if (content != null && content.isString()) {
				// Anthropic refuses empty text blocks; OpenAI sends "" beside tool calls.
				if (!content.stringValue().isEmpty()) {
					out.addObject().put("type", "text").put("text", content.stringValue());
				}
				return;
			}
			if (content == null || !content.isArray()) {
				throw new TranslationException(where + ".content: expected a string or an array of text parts");
			}
			int index = 0;
			for (JsonNode part : content) {
				String type = part.path("type").asString("");
				if (!type.equals("text")) {
					throw new TranslationException(
							where + ".content[" + index + "].type: '" + type + "' (expected: text here)");
				}
				out.addObject().put("type", "text").put("text", part.path("text").asString(""));
				index++;
			}
		}

		private ObjectNode image(String url, String where) {
			ObjectNode block = ChatToMessages.this.mapper.createObjectNode().put("type", "image");
			ObjectNode source = block.putObject("source");
			if (url.startsWith("data:")) {
				int comma = url.indexOf(',');
				String header = (comma > 0) ? url.substring(5, comma) : "";
				if (!header.endsWith(";base64")) {
					throw new TranslationException(where + ".image_url.url: a data URL that is not base64");
				}
				source.put("type", "base64");
				source.put("media_type", header.substring(0, header.length() - ";base64".length()));
				source.put("data", url.substring(comma + 1));
			}
			else if (url.startsWith("https://") || url.startsWith("http://")) {
				source.put("type", "url");
				source.put("url", url);
			}
			else {
				throw new TranslationException(where + ".image_url.url: expected an http(s) or base64 data URL");
			}
			return block;
		}

	}

	/**
	 * A request that cannot be translated; the message names the field and what is
	 * accepted, and the caller adds the line.
	 */
	public static final class TranslationException extends RuntimeException {

		public TranslationException(String message) {
			super(message);
		}

	}

}
