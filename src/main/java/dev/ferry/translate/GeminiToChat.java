package dev.ferry.translate;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Reads Gemini's answers as OpenAI's: a {@code GenerateContentResponse} as a
 * {@code chat.completion} (text parts joined, thoughts left out, function calls as tool
 * calls, {@code finishReason} and {@code usageMetadata} mapped), an embedding as an
 * {@code embeddings} list, and a Google RPC status as an OpenAI error.
 */
public final class GeminiToChat {

	private final JsonMapper mapper;

	public GeminiToChat(JsonMapper mapper) {
		this.mapper = mapper;
	}

	/**
	 * The completion for one response.
	 * @param response Gemini's response
	 * @param model the batch's model, when the response names no version
	 * @param created when the batch ended, in Unix seconds
	 * @param fallbackId an id for a response that carries none
	 * @return the completion
	 */
	public ObjectNode completion(JsonNode response, String model, long created, String fallbackId) {
		ObjectNode completion = this.mapper.createObjectNode()
			.put("id", response.path("responseId").asString(fallbackId))
			.put("object", "chat.completion")
			.put("created", created)
			.put("model", response.path("modelVersion").asString(model));
		ArrayNode choices = completion.putArray("choices");
		int index = 0;
		for (JsonNode candidate : response.path("candidates")) {
			choices.add(choice(candidate, candidate.path("index").asInt(index), index));
			index++;
		}
		if (choices.isEmpty()) {
			// Blocked before any candidate: promptFeedback.blockReason says why.
			ObjectNode choice = choices.addObject().put("index", 0);
			choice.putObject("message").put("role", "assistant").put("content", "");
			choice.putNull("logprobs");
			choice.put("finish_reason", "content_filter");
		}
		completion.set("usage", usage(response.path("usageMetadata")));
		return completion;
	}

	private ObjectNode choice(JsonNode candidate, int index, int position) {
		ObjectNode choice = this.mapper.createObjectNode().put("index", index);
		ObjectNode message = choice.putObject("message").put("role", "assistant");
		StringBuilder text = new StringBuilder();
		ArrayNode calls = this.mapper.createArrayNode();
		for (JsonNode part : candidate.path("content").path("parts")) {
			if (part.path("thought").asBoolean(false)) {
				continue;
			}
			if (part.has("text")) {
				text.append(part.path("text").asString(""));
			}
			JsonNode call = part.path("functionCall");
			if (call.isObject()) {
				String id = call.path("id").asString("call_" + position + "_" + calls.size());
				ObjectNode toolCall = calls.addObject().put("id", id).put("type", "function");
				toolCall.putObject("function")
					.put("name", call.path("name").asString(""))
					.put("arguments", call.path("args").isObject() ? call.get("args").toString() : "{}");
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
		choice.put("finish_reason", finishReason(candidate.path("finishReason").asString(""), !calls.isEmpty()));
		return choice;
	}

	/**
	 * OpenAI's finish reason for Gemini's: {@code STOP} is {@code stop}, or
	 * {@code tool_calls} when the candidate calls a function; {@code MAX_TOKENS} is
	 * {@code length}; the blocking reasons are {@code content_filter}; anything else
	 * (malformed calls, unspecified) is {@code stop}.
	 * @param reason Gemini's reason
	 * @param callsTools whether the candidate calls a function
	 * @return OpenAI's
	 */
	static String finishReason(String reason, boolean callsTools) {
		return switch (reason) {
			case "MAX_TOKENS" -> "length";
			case "SAFETY", "RECITATION", "BLOCKLIST", "PROHIBITED_CONTENT", "SPII", "LANGUAGE", "OTHER", "IMAGE_SAFETY",
					"IMAGE_PROHIBITED_CONTENT", "IMAGE_RECITATION", "IMAGE_OTHER" ->
				"content_filter";
			default -> callsTools ? "tool_calls" : "stop";
		};
	}

	/**
	 * OpenAI's usage for Gemini's: thoughts count as completion tokens, as OpenAI counts
	 * reasoning, and are also given as reasoning tokens.
	 */
	private ObjectNode usage(JsonNode metadata) {
		long prompt = metadata.path("promptTokenCount").asLong(0);
		long thoughts = metadata.path("thoughtsTokenCount").asLong(0);
		long completion = metadata.path("candidatesTokenCount").asLong(0) + thoughts;
		long total = metadata.path("totalTokenCount").asLong(prompt + completion);
		ObjectNode usage = this.mapper.createObjectNode()
			.put("prompt_tokens", prompt)
			.put("completion_tokens", completion)
			.put("total_tokens", total);
		usage.putObject("prompt_tokens_details")
			.put("cached_tokens", metadata.path("cachedContentTokenCount").asLong(0));
		usage.putObject("completion_tokens_details").put("reasoning_tokens", thoughts);
		return usage;
	}

	/**
	 * The embeddings list for one {@code EmbedContentResponse}.
	 * @param response Gemini's response, {@code {embedding: {values}}}
	 * @param model the batch's model
	 * @return the OpenAI list, with its one embedding
	 */
	public ObjectNode embedding(JsonNode response, String model) {
		// Gemini reports no token count for an embedding.
		return SingleEmbeddings.list(this.mapper, response.path("embedding").path("values"), model, 0);
	}

	/**
	 * The HTTP status a Google RPC status stands for.
	 * @param status the {@code error} object, {@code {code, message, status}}
	 * @return its {@code code} when it is an HTTP status, else 500
	 */
	public static int httpStatus(JsonNode status) {
		int code = status.path("code").asInt(500);
		return (code >= 400 && code < 600) ? code : rpcToHttp(code);
	}

	/**
	 * Google's canonical codes (gRPC numbers) as the HTTP statuses Google maps them to.
	 */
	private static int rpcToHttp(int code) {
		return switch (code) {
			case 3, 9, 11 -> 400;
			case 16 -> 401;
			case 7 -> 403;
			case 5 -> 404;
			case 6, 10 -> 409;
			case 8 -> 429;
			case 1 -> 499;
			case 12 -> 501;
			case 14 -> 503;
			case 4 -> 504;
			default -> 500;
		};
	}

}
