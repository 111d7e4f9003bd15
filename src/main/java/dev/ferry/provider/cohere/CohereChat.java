package dev.ferry.provider.cohere;

import java.util.Map;
import java.util.Set;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Cohere's v2 chat shapes and OpenAI's {@code chat.completions}, both ways: a request
 * body for a Cohere batch line, and a Cohere chat response read back as an OpenAI
 * completion. What Cohere has no equal for is refused with what is accepted, never
 * dropped.
 */
final class CohereChat {

	/** OpenAI fields with a Cohere equal, and their Cohere names. */
	private static final Map<String, String> RENAMED = Map.of("max_tokens", "max_tokens", "max_completion_tokens",
			"max_tokens", "temperature", "temperature", "top_p", "p", "seed", "seed", "frequency_penalty",
			"frequency_penalty", "presence_penalty", "presence_penalty", "logprobs", "logprobs");

	/** Fields translated one by one below. */
	private static final Set<String> TRANSLATED = Set.of("messages", "model", "stop", "tools", "tool_choice",
			"response_format", "n", "stream");

	private static final Set<String> ROLES = Set.of("system", "user", "assistant", "tool");

	private final JsonMapper mapper;

	CohereChat(JsonMapper mapper) {
		this.mapper = mapper;
	}

	/**
	 * A Cohere v2 chat body for an OpenAI {@code chat.completions} body.
	 * @param body the OpenAI body, without its model
	 * @return the Cohere body
	 * @throws UnmappableException naming the field Cohere has no equal for
	 */
	ObjectNode request(JsonNode body) {
		ObjectNode cohere = this.mapper.createObjectNode();
		for (var field : body.properties()) {
			String name = field.getKey();
			if (RENAMED.containsKey(name)) {
				cohere.set(RENAMED.get(name), field.getValue());
			}
			else if (!TRANSLATED.contains(name)) {
				throw new UnmappableException(name + ": Cohere's chat has no equal (accepted: messages, "
						+ String.join(", ", new java.util.TreeSet<>(RENAMED.keySet()))
						+ ", stop, tools, tool_choice (auto, none, required), response_format, n (1), stream (false))");
			}
		}
		cohere.set("messages", messages(body.path("messages")));
		JsonNode stop = body.path("stop");
		if (stop.isString()) {
			cohere.putArray("stop_sequences").add(stop.stringValue());
		}
		else if (stop.isArray()) {
			cohere.set("stop_sequences", stop);
		}
		if (body.has("tools")) {
			cohere.set("tools", tools(body.path("tools")));
		}
		toolChoice(body.path("tool_choice"), cohere);
		responseFormat(body.path("response_format"), cohere);
		if (body.has("n") && body.path("n").asInt(0) != 1) {
			throw new UnmappableException("n: Cohere returns one choice per request (accepted: 1)");
		}
		if (body.path("stream").asBoolean(false)) {
			throw new UnmappableException("stream: a batch request cannot stream (accepted: false)");
		}
		return cohere;
	}

	private ArrayNode messages(JsonNode messages) {
		if (!messages.isArray() || messages.isEmpty()) {
			throw new UnmappableException("messages: expected a non-empty array");
		}
		ArrayNode translated = this.mapper.createArrayNode();
		for (JsonNode message : messages) {
			String role = message.path("role").asString("");
			if (role.equals("developer")) {
				role = "system";
			}
			if (!ROLES.contains(role)) {
				throw new UnmappableException("messages: role '" + role
						+ "' has no Cohere equal (accepted: system, developer, user, assistant, tool)");
			}
			ObjectNode copy = ((ObjectNode) message).deepCopy().put("role", role);
			copy.remove("name");
			JsonNode content = message.path("content");
			if (content.isString()) {
				copy.putArray("content").addObject().put("type", "text").put("text", content.stringValue());
			}
			else if (content.isArray()) {
				copy.set("content", contentParts(content));
			}
			translated.add(copy);
		}
		return translated;
	}

	private ArrayNode contentParts(JsonNode parts) {
		ArrayNode translated = this.mapper.createArrayNode();
		for (JsonNode part : parts) {
			String type = part.path("type").asString("");
			if (type.equals("text")) {
				translated.addObject().put("type", "text").put("text", part.path("text").asString(""));
			}
			else if (type.equals("image_url")) {
				JsonNode url = part.path("image_url");
				translated.addObject()
					.put("type", "image_url")
					.put("image_url", url.isObject() ? url.path("url").asString("") : url.asString(""));
			}
			else {
				throw new UnmappableException("messages: content part '" + type
						+ "' has no Cohere equal in a batch (accepted: text, image_url)");
			}
		}
		return translated;
	}

	/** Cohere's batch lines carry a tool's parameter schema as a JSON string. */
	private ArrayNode tools(JsonNode tools) {
		ArrayNode translated = this.mapper.createArrayNode();
		for (JsonNode tool : tools) {
			if (!"function".equals(tool.path("type").asString(""))) {
				throw new UnmappableException("tools: only function tools have a Cohere equal");
			}
			ObjectNode copy = ((ObjectNode) tool).deepCopy();
			JsonNode parameters = tool.path("function").path("parameters");
			if (parameters.isObject()) {
				((ObjectNode) copy.path("function")).put("parameters", parameters.toString());
			}
			translated.add(copy);
		}
		return translated;
	}

	private static void toolChoice(JsonNode choice, ObjectNode cohere) {
		if (choice.isMissingNode() || choice.isNull() || "auto".equals(choice.asString(""))) {
			return;
		}
		switch (choice.asString("")) {
			case "none" -> cohere.put("tool_choice", "NONE");
			case "required" -> cohere.put("tool_choice", "REQUIRED");
			default -> throw new UnmappableException(
					"tool_choice: naming one tool has no Cohere equal (accepted: auto, none, required)");
		}
	}

	private void responseFormat(JsonNode format, ObjectNode cohere) {
		if (format.isMissingNode() || format.isNull()) {
			return;
		}
		String type = format.path("type").asString("");
		switch (type) {
			case "text" -> {
			}
			case "json_object" -> cohere.putObject("response_format").put("type", "json_object");
			case "json_schema" -> cohere.putObject("response_format")
				.put("type", "json_object")
				.set("json_schema", format.path("json_schema").path("schema"));
			default -> throw new UnmappableException(
					"response_format: type '" + type + "' (accepted: text, json_object, json_schema)");
		}
	}

	/**
	 * An OpenAI {@code chat.completion} for a Cohere v2 chat response.
	 * @param response Cohere's response
	 * @param model the batch's model
	 * @param created when the batch ended, in Unix seconds
	 * @return the completion, or {@code null} when Cohere's generation itself failed
	 * ({@code finish_reason} {@code ERROR})
	 */
	@Nullable ObjectNode completion(JsonNode response, String model, long created) {
		String finish = response.path("finish_reason").asString("COMPLETE");
		if (finish.equals("ERROR")) {
			return null;
		}
		ObjectNode completion = this.mapper.createObjectNode()
			.put("id", response.path("id").asString(""))
			.put("object", "chat.completion")
			.put("created", created)
			.put("model", model);
		ObjectNode choice = completion.putArray("choices").addObject().put("index", 0);
		ObjectNode message = choice.putObject("message").put("role", "assistant");
		StringBuilder text = new StringBuilder();
		for (JsonNode part : response.path("message").path("content")) {
			if ("text".equals(part.path("type").asString(""))) {
				text.append(part.path("text").asString(""));
			}
		}
		JsonNode toolCalls = response.path("message").path("tool_calls");
		if (text.isEmpty() && toolCalls.isArray() && !toolCalls.isEmpty()) {
			message.putNull("content");
		}
		else {
			message.put("content", text.toString());
		}
		if (toolCalls.isArray() && !toolCalls.isEmpty()) {
			message.set("tool_calls", toolCalls);
		}
		choice.put("finish_reason", switch (finish) {
			case "MAX_TOKENS" -> "length";
			case "TOOL_CALL" -> "tool_calls";
			case "ERROR_TOXIC" -> "content_filter";
			default -> "stop";
		});
		choice.putNull("logprobs");
		JsonNode tokens = response.path("usage").path("tokens");
		JsonNode billed = response.path("usage").path("billed_units");
		long input = tokens.path("input_tokens").asLong(billed.path("input_tokens").asLong(0));
		long output = tokens.path("output_tokens").asLong(billed.path("output_tokens").asLong(0));
		completion.putObject("usage")
			.put("prompt_tokens", input)
			.put("completion_tokens", output)
			.put("total_tokens", input + output);
		return completion;
	}

	/** A request field or value Cohere has no equal for. */
	static final class UnmappableException extends RuntimeException {

		UnmappableException(String message) {
			super(message);
		}

	}

}
