package dev.ferry.translate;

import java.util.HashMap;
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
 * Translates OpenAI request bodies into Gemini's: a {@code chat.completions} body into a
 * {@code GenerateContentRequest}, an {@code embeddings} body into an
 * {@code EmbedContentRequest}. System and developer messages become
 * {@code systemInstruction}; assistant turns are the {@code model} role; tool calls and
 * tool results become {@code functionCall} and {@code functionResponse} parts (Gemini
 * names a result by its function, so each result's name is found from the call it
 * answers); sampling settings go in {@code generationConfig}. A field with no Gemini
 * equal is refused, naming it and what is accepted, never dropped.
 */
public final class ChatToGemini {

	/** OpenAI chat fields with a {@code generationConfig} equal, and its name. */
	private static final Map<String, String> GENERATION = Map.ofEntries(Map.entry("max_tokens", "maxOutputTokens"),
			Map.entry("max_completion_tokens", "maxOutputTokens"), Map.entry("temperature", "temperature"),
			Map.entry("top_p", "topP"), Map.entry("n", "candidateCount"), Map.entry("seed", "seed"),
			Map.entry("presence_penalty", "presencePenalty"), Map.entry("frequency_penalty", "frequencyPenalty"),
			Map.entry("top_logprobs", "logprobs"));

	/** Fields translated one by one below. */
	private static final Set<String> TRANSLATED = Set.of("model", "messages", "stop", "tools", "tool_choice",
			"response_format", "logprobs", "stream", "parallel_tool_calls", "store");

	private final JsonMapper mapper;

	public ChatToGemini(JsonMapper mapper) {
		this.mapper = mapper;
	}

	/**
	 * The {@code GenerateContentRequest} for one chat body.
	 * @param body the {@code chat.completions} body; its {@code model} is the batch's and
	 * is not carried
	 * @return the Gemini request
	 * @throws TranslationException naming the field that cannot be translated
	 */
	public ObjectNode chat(JsonNode body) {
		if (!body.isObject()) {
			throw new TranslationException("body: expected a JSON object (a chat.completions request)");
		}
		TreeSet<String> refused = new TreeSet<>();
		for (String field : body.propertyNames()) {
			if (!GENERATION.containsKey(field) && !TRANSLATED.contains(field)) {
				refused.add(field);
			}
		}
		if (!refused.isEmpty()) {
			throw new TranslationException("unsupported parameter" + ((refused.size() > 1) ? "s " : " ")
					+ String.join(", ", refused) + ": Gemini has no equal (accepted: messages, "
					+ String.join(", ", new TreeSet<>(GENERATION.keySet()))
					+ ", stop, logprobs, response_format, tools, tool_choice, parallel_tool_calls (true), "
					+ "stream (false), store (false))");
		}
		neutral(body, "stream", false);
		neutral(body, "store", false);
		neutral(body, "parallel_tool_calls", true);
		ObjectNode request = this.mapper.createObjectNode();
		new Conversation(request).add(body.path("messages"));
		ObjectNode generation = this.mapper.createObjectNode();
		for (var entry : GENERATION.entrySet()) {
			JsonNode value = body.get(entry.getKey());
			if (value != null && !value.isNull()) {
				if (!value.isNumber()) {
					throw new TranslationException(entry.getKey() + ": " + value + " (expected: a number)");
				}
				generation.set(entry.getValue(), value);
			}
		}
		stop(body.path("stop"), generation);
		if (body.path("logprobs").asBoolean(false)) {
			generation.put("responseLogprobs", true);
		}
		responseFormat(body.path("response_format"), generation);
		if (!generation.isEmpty()) {
			request.set("generationConfig", generation);
		}
		if (body.has("tools")) {
			request.putArray("tools").addObject().set("functionDeclarations", tools(body.path("tools")));
		}
		toolChoice(body.path("tool_choice"), request);
		return request;
	}

	/**
	 * The {@code EmbedContentRequest} for one embeddings body: one text per request, as
	 * Gemini embeds one content per request.
	 * @param body the {@code embeddings} body
	 * @return the Gemini request
	 * @throws TranslationException naming the field that cannot be translated
	 */
	public ObjectNode embedding(JsonNode body) {
		String text = SingleEmbeddings.text(body, "Gemini");
		ObjectNode request = this.mapper.createObjectNode();
		request.putObject("content").putArray("parts").addObject().put("text", text);
		if (body.has("dimensions")) {
			request.set("outputDimensionality", body.get("dimensions"));
		}
		return request;
	}

	private static void neutral(JsonNode body, String field, boolean value) {
		JsonNode given = body.get(field);
		if (given != null && !given.isNull() && given.asBoolean(!value) != value) {
			throw new TranslationException(field + ": " + given + " has no Gemini equal (accepted: " + value + ")");
		}
	}

	private static void stop(JsonNode stop, ObjectNode generation) {
		if (stop.isString()) {
			generation.putArray("stopSequences").add(stop.stringValue());
		}
		else if (stop.isArray()) {
			generation.set("stopSequences", stop);
		}
		else if (!stop.isMissingNode() && !stop.isNull()) {
			throw new TranslationException("stop: expected a string or an array of strings");
		}
	}

	private static void responseFormat(JsonNode format, ObjectNode generation) {
		if (format.isMissingNode() || format.isNull()) {
			return;
		}
		String type = format.path("type").asString("");
		switch (type) {
			case "text" -> {
			}
			case "json_object" -> generation.put("responseMimeType", "application/json");
			case "json_schema" -> {
				JsonNode schema = format.path("json_schema").path("schema");
				if (!schema.isObject()) {
					throw new TranslationException("response_format.json_schema.schema: expected a JSON Schema object");
				}
				generation.put("responseMimeType", "application/json");
				generation.set("responseJsonSchema", schema);
			}
			default -> throw new TranslationException(
					"response_format: type '" + type + "' (accepted: text, json_object, json_schema)");
		}
	}

	/**
	 * Function tools, each with its JSON Schema as {@code parametersJsonSchema}, which
	 * takes the whole of JSON Schema where {@code parameters} takes only an OpenAPI
	 * subset.
	 */
	private ArrayNode tools(JsonNode tools) {
		if (!tools.isArray()) {
			throw new TranslationException("tools: expected an array of function tools");
		}
		ArrayNode declarations = this.mapper.createArrayNode();
		for (JsonNode tool : tools) {
			if (!"function".equals(tool.path("type").asString(""))) {
				throw new TranslationException("tools: type '" + tool.path("type").asString("")
						+ "' has no Gemini equal in a batch (accepted: function)");
			}
			JsonNode function = tool.path("function");
			ObjectNode declaration = declarations.addObject().put("name", function.path("name").asString(""));
			if (function.has("description")) {
				declaration.set("description", function.get("description"));
			}
			if (function.path("parameters").isObject()) {
				declaration.set("parametersJsonSchema", function.get("parameters"));
			}
		}
		return declarations;
	}

	private void toolChoice(JsonNode choice, ObjectNode request) {
		if (choice.isMissingNode() || choice.isNull()) {
			return;
		}
		ObjectNode config = this.mapper.createObjectNode();
		if (choice.isString()) {
			config.put("mode", switch (choice.stringValue()) {
				case "auto" -> "AUTO";
				case "none" -> "NONE";
				case "required" -> "ANY";
				default -> throw new TranslationException(
						"tool_choice: '" + choice.stringValue() + "' (accepted: auto, none, required or a function)");
			});
		}
		else if ("function".equals(choice.path("type").asString(""))) {
			config.put("mode", "ANY").putArray("allowedFunctionNames").add(choice.path("function").path("name"));
		}
		else {
			throw new TranslationException(
					"tool_choice: " + choice + " (accepted: auto, none, required or a function)");
		}
		request.putObject("toolConfig").set("functionCallingConfig", config);
	}

	/**
	 * The messages of one request, turned into {@code systemInstruction} and contents.
	 */
	private final class Conversation {

		private final ObjectNode request;

		private final ArrayNode contents;

		/** Each tool call's function, so that its result can name it. */
		private final Map<String, String> calledFunctions = new HashMap<>();

		Conversation(ObjectNode request) {
			this.request = request;
			this.contents = ChatToGemini.this.mapper.createArrayNode();
		}

		void add(JsonNode messages) {
			if (!messages.isArray() || messages.isEmpty()) {
				throw new TranslationException("messages: missing or empty (expected: an array of chat messages)");
			}
			int index = 0;
			for (JsonNode message : messages) {
				String where = "messages[" + index++ + "]";
				String role = message.path("role").asString("");
				switch (role) {
					case "system", "developer" -> system(message, where);
					case "user" -> content("user").addAll(parts(message.path("content"), where, true));
					case "assistant" -> assistant(message, where);
					case "tool" -> content("user").add(toolResult(message, where));
					default -> throw new TranslationException(
							where + ".role: '" + role + "' (accepted: system, developer, user, assistant, tool)");
				}
			}
			this.request.set("contents", this.contents);
		}

		private void system(JsonNode message, String where) {
			ObjectNode instruction = (ObjectNode) this.request.get("systemInstruction");
			if (instruction == null) {
				instruction = this.request.putObject("systemInstruction");
				instruction.putArray("parts");
			}
			((ArrayNode) instruction.get("parts")).addAll(parts(message.path("content"), where, false));
		}

		private void assistant(JsonNode message, String where) {
			ArrayNode parts = content("model");
			JsonNode content = message.path("content");
			if (!content.isMissingNode() && !content.isNull()
					&& !(content.isString() && content.stringValue().isEmpty())) {
				parts.addAll(parts(content, where, false));
			}
			int index = 0;
			for (JsonNode call : message.path("tool_calls")) {
				String at = where + ".tool_calls[" + index++ + "]";
				String name = call.path("function").path("name").asString("");
				ObjectNode functionCall = parts.addObject().putObject("functionCall").put("name", name);
				functionCall.set("args", object(call.path("function").path("arguments"), at + ".function.arguments"));
				if (call.hasNonNull("id")) {
					functionCall.put("id", call.get("id").asString());
					this.calledFunctions.put(call.get("id").asString(), name);
				}
			}
		}

		private ObjectNode toolResult(JsonNode message, String where) {
			String callId = message.path("tool_call_id").asString("");
			String name = this.calledFunctions.get(callId);
			if (name == null) {
				throw new TranslationException(where + ".tool_call_id: '" + callId
						+ "' answers no earlier assistant tool call (Gemini names a result by its function)");
			}
			JsonNode content = message.path("content");
			String text = content.isString() ? content.stringValue() : textOf(content, where);
			ObjectNode response;
			try {
				JsonNode parsed = ChatToGemini.this.mapper.readTree(text);
				response = (parsed != null && parsed.isObject()) ? (ObjectNode) parsed : wrapped(text);
			}
			catch (JacksonException ex) {
				response = wrapped(text);
			}
			ObjectNode part = ChatToGemini.this.mapper.createObjectNode();
			part.putObject("functionResponse").put("name", name).put("id", callId).set("response", response);
			return part;
		}

		private ObjectNode wrapped(String text) {
			return ChatToGemini.this.mapper.createObjectNode().put("content", text);
		}

		/**
		 * The parts of the last content if it has this role, else of a new one: Gemini
		 * takes a turn's parts together, as when several tool results follow a call.
		 */
		private ArrayNode content(String role) {
			JsonNode last = this.contents.isEmpty() ? null : this.contents.get(this.contents.size() - 1);
			if (last != null && role.equals(last.path("role").asString())) {
				return (ArrayNode) last.get("parts");
			}
			ObjectNode content = this.contents.addObject().put("role", role);
			return content.putArray("parts");
		}

		private ArrayNode parts(JsonNode content, String where, boolean images) {
			return ChatContent.blocks(ChatToGemini.this.mapper, content, where, images, this::image);
		}

		private String textOf(JsonNode content, String where) {
			StringBuilder text = new StringBuilder();
			for (JsonNode part : parts(content, where, false)) {
				text.append(part.path("text").asString(""));
			}
			return text.toString();
		}

		/**
		 * An image from a base64 data URL. Gemini's {@code fileData} takes only files it
		 * holds (or, on Vertex, Cloud Storage), and Ferry does not download images for
		 * the caller, so web URLs are refused.
		 */
		private ObjectNode image(JsonNode imageUrl, String where) {
			String url = imageUrl.isObject() ? imageUrl.path("url").asString("") : imageUrl.asString("");
			int comma = url.indexOf(',');
			if (!url.startsWith("data:") || comma < 0 || !url.substring(0, comma).endsWith(";base64")) {
				throw new TranslationException(where + ".image_url.url: Gemini takes images inline here "
						+ "(accepted: a base64 data URL, data:image/png;base64,…)");
			}
			ObjectNode part = ChatToGemini.this.mapper.createObjectNode();
			part.putObject("inlineData")
				.put("mimeType", url.substring("data:".length(), comma - ";base64".length()))
				.put("data", url.substring(comma + 1));
			return part;
		}

		private JsonNode object(JsonNode arguments, String where) {
			try {
				JsonNode parsed = arguments.isString() ? ChatToGemini.this.mapper.readTree(arguments.stringValue())
						: arguments;
				if (parsed != null && parsed.isObject()) {
					return parsed;
				}
			}
			catch (JacksonException ex) {
				// Refused below.
			}
			throw new TranslationException(where + ": not a JSON object (Gemini's functionCall args must be one)");
		}

	}

}
