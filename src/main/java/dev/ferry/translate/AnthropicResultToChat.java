package dev.ferry.translate;

import org.jspecify.annotations.Nullable;
import tools.jackson.core.JsonGenerator;
import tools.jackson.core.SerializableString;
import tools.jackson.core.io.SerializedString;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import dev.ferry.batch.FerryIds;
import dev.ferry.results.JsonLines;
import dev.ferry.translate.AnthropicResult.Reply;
import dev.ferry.translate.AnthropicResult.ToolCall;
import dev.ferry.translate.AnthropicResult.Usage;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;

/**
 * Writes the OpenAI batch output or error line of an Anthropic result, with its
 * {@code message} turned into a {@code chat.completion}, straight to a generator: no tree
 * is built on the way in or out, and the reply's text is copied still escaped.
 */
public final class AnthropicResultToChat {

	private final JsonMapper mapper;

	public AnthropicResultToChat(JsonMapper mapper) {
		this.mapper = mapper;
	}

	/**
	 * The OpenAI line for an Anthropic result.
	 * @param result the result, read with its message kept as JSON for
	 * {@code /v1/messages} batches and read into a reply otherwise
	 * @param customId the caller's {@code custom_id}
	 * @param batchId the batch, from which stable line ids are derived
	 * @param created the {@code created} time of completions, in Unix seconds
	 * @return the output or error line, with its newline
	 */
	public DataBuffer line(AnthropicResult result, String customId, String batchId, long created) {
		// A completion carries the message's text and adds about 500 bytes of its own.
		return JsonLines.write(this.mapper, result.sizeHint() + 512, (json) -> {
			String seed = FerryIds.stable(batchId + "\n" + customId);
			json.writeStartObject();
			string(json, Names.ID, "batch_req_" + seed);
			string(json, Names.CUSTOM_ID, customId);
			switch (result.type()) {
				case "succeeded" -> succeeded(json, result, "req_" + seed, created);
				case "expired" -> batchError(json, "batch_expired",
						"This request could not be executed before the completion window expired.");
				case "canceled" ->
					batchError(json, "batch_cancelled", "This request was cancelled before it could run.");
				default -> errored(json, result, "req_" + seed);
			}
			json.writeEndObject();
		});
	}

	/**
	 * The OpenAI line for a Claude message, or for a Claude request's error, that a
	 * cloud's batch returned outside Anthropic's result envelope (Bedrock, Vertex AI).
	 * @param customId the caller's {@code custom_id}
	 * @param message the Anthropic message, or {@code null} for an error
	 * @param errorType the Anthropic error type, when there is no message
	 * @param errorMessage what went wrong, when there is no message
	 * @param batchId the batch, from which stable line ids are derived
	 * @param created the {@code created} time of completions, in Unix seconds
	 * @param keepMessage whether the message is the response body as it is (for
	 * {@code /v1/messages} requests), rather than a completion made of it
	 * @return the output or error line
	 */
	public ObjectNode lineFor(String customId, @Nullable JsonNode message, String errorType, String errorMessage,
			String batchId, long created, boolean keepMessage) {
		ObjectNode result = this.mapper.createObjectNode().put("custom_id", customId);
		ObjectNode outcome = result.putObject("result");
		if (message != null) {
			outcome.put("type", "succeeded").set("message", message);
		}
		else {
			outcome.put("type", "errored")
				.putObject("error")
				.put("type", "error")
				.putObject("error")
				.put("type", errorType)
				.put("message", errorMessage);
		}
		AnthropicResult read = AnthropicResult.read(this.mapper, this.mapper.writeValueAsBytes(result), keepMessage);
		DataBuffer buffer = line(read, customId, batchId, created);
		try {
			byte[] bytes = new byte[buffer.readableByteCount()];
			buffer.read(bytes);
			return (ObjectNode) this.mapper.readTree(bytes);
		}
		finally {
			DataBufferUtils.release(buffer);
		}
	}

	private static void succeeded(JsonGenerator json, AnthropicResult result, String requestId, long created) {
		json.writeName(Names.RESPONSE);
		json.writeStartObject();
		number(json, Names.STATUS_CODE, 200);
		string(json, Names.REQUEST_ID, requestId);
		json.writeName(Names.BODY);
		if (result.reply() != null) {
			completion(json, result.reply(), created);
		}
		else if (result.messageJson() != null) {
			json.writeRawValue(result.messageJson());
		}
		else {
			json.writeNull();
		}
		json.writeEndObject();
		nullValue(json, Names.ERROR);
	}

	/**
	 * An errored request keeps its upstream status and error, in OpenAI's error shape.
	 */
	private static void errored(JsonGenerator json, AnthropicResult result, String fallbackRequestId) {
		json.writeName(Names.RESPONSE);
		json.writeStartObject();
		number(json, Names.STATUS_CODE, AnthropicErrorTypes.statusFor(result.errorType()));
		string(json, Names.REQUEST_ID, (result.requestId() != null) ? result.requestId() : fallbackRequestId);
		json.writeName(Names.BODY);
		json.writeStartObject();
		json.writeName(Names.ERROR);
		json.writeStartObject();
		string(json, Names.MESSAGE, (result.errorMessage() != null) ? result.errorMessage() : "request failed");
		string(json, Names.TYPE, result.errorType());
		nullValue(json, Names.PARAM);
		nullValue(json, Names.CODE);
		json.writeEndObject();
		json.writeEndObject();
		json.writeEndObject();
		nullValue(json, Names.ERROR);
	}

	/** An expired or canceled request never ran, so it has no response. */
	private static void batchError(JsonGenerator json, String code, String message) {
		nullValue(json, Names.RESPONSE);
		json.writeName(Names.ERROR);
		json.writeStartObject();
		string(json, Names.CODE, code);
		string(json, Names.MESSAGE, message);
		json.writeEndObject();
	}

	/** A {@code chat.completion} for an Anthropic message. */
	private static void completion(JsonGenerator json, Reply reply, long created) {
		json.writeStartObject();
		string(json, Names.ID, reply.id());
		string(json, Names.OBJECT, "chat.completion");
		number(json, Names.CREATED, created);
		string(json, Names.MODEL, reply.model());
		json.writeName(Names.CHOICES);
		json.writeStartArray();
		json.writeStartObject();
		number(json, Names.INDEX, 0);
		json.writeName(Names.MESSAGE);
		json.writeStartObject();
		string(json, Names.ROLE, "assistant");
		json.writeName(Names.CONTENT);
		if (reply.text() != null) {
			json.writeRawUTF8String(reply.text(), 0, reply.text().length);
		}
		else {
			json.writeNull();
		}
		nullValue(json, Names.REFUSAL);
		if (!reply.toolCalls().isEmpty()) {
			toolCalls(json, reply);
		}
		json.writeEndObject();
		nullValue(json, Names.LOGPROBS);
		string(json, Names.FINISH_REASON, finishReason(reply.stopReason()));
		json.writeEndObject();
		json.writeEndArray();
		usage(json, reply.usage());
		json.writeEndObject();
	}

	private static void toolCalls(JsonGenerator json, Reply reply) {
		json.writeName(Names.TOOL_CALLS);
		json.writeStartArray();
		for (ToolCall call : reply.toolCalls()) {
			json.writeStartObject();
			string(json, Names.ID, call.id());
			string(json, Names.TYPE, "function");
			json.writeName(Names.FUNCTION);
			json.writeStartObject();
			string(json, Names.NAME, call.name());
			string(json, Names.ARGUMENTS, call.arguments());
			json.writeEndObject();
			json.writeEndObject();
		}
		json.writeEndArray();
	}

	public static String finishReason(String stopReason) {
		return switch (stopReason) {
			case "max_tokens", "model_context_window_exceeded" -> "length";
			case "tool_use" -> "tool_calls";
			case "refusal" -> "content_filter";
			default -> "stop";
		};
	}

	/** OpenAI counts cached input inside the prompt tokens; Anthropic counts it apart. */
	private static void usage(JsonGenerator json, Usage usage) {
		long prompt = usage.input() + usage.cacheRead() + usage.cacheWrite();
		json.writeName(Names.USAGE);
		json.writeStartObject();
		number(json, Names.PROMPT_TOKENS, prompt);
		number(json, Names.COMPLETION_TOKENS, usage.output());
		number(json, Names.TOTAL_TOKENS, prompt + usage.output());
		json.writeName(Names.PROMPT_TOKENS_DETAILS);
		json.writeStartObject();
		number(json, Names.CACHED_TOKENS, usage.cacheRead());
		number(json, Names.CACHE_WRITE_TOKENS, usage.cacheWrite());
		json.writeEndObject();
		json.writeName(Names.COMPLETION_TOKENS_DETAILS);
		json.writeStartObject();
		number(json, Names.REASONING_TOKENS, usage.reasoning());
		json.writeEndObject();
		json.writeEndObject();
	}

	private static void string(JsonGenerator json, SerializableString name, String value) {
		json.writeName(name);
		json.writeString(value);
	}

	private static void number(JsonGenerator json, SerializableString name, long value) {
		json.writeName(name);
		json.writeNumber(value);
	}

	private static void nullValue(JsonGenerator json, SerializableString name) {
		json.writeName(name);
		json.writeNull();
	}

	/**
	 * The property names of OpenAI output lines, encoded once: every line writes about
	 * thirty of them.
	 */
	private static final class Names {

		static final SerializableString ID = new SerializedString("id");

		static final SerializableString CUSTOM_ID = new SerializedString("custom_id");

		static final SerializableString RESPONSE = new SerializedString("response");

		static final SerializableString STATUS_CODE = new SerializedString("status_code");

		static final SerializableString REQUEST_ID = new SerializedString("request_id");

		static final SerializableString BODY = new SerializedString("body");

		static final SerializableString ERROR = new SerializedString("error");

		static final SerializableString MESSAGE = new SerializedString("message");

		static final SerializableString TYPE = new SerializedString("type");

		static final SerializableString PARAM = new SerializedString("param");

		static final SerializableString CODE = new SerializedString("code");

		static final SerializableString OBJECT = new SerializedString("object");

		static final SerializableString CREATED = new SerializedString("created");

		static final SerializableString MODEL = new SerializedString("model");

		static final SerializableString CHOICES = new SerializedString("choices");

		static final SerializableString INDEX = new SerializedString("index");

		static final SerializableString ROLE = new SerializedString("role");

		static final SerializableString CONTENT = new SerializedString("content");

		static final SerializableString REFUSAL = new SerializedString("refusal");

		static final SerializableString TOOL_CALLS = new SerializedString("tool_calls");

		static final SerializableString FUNCTION = new SerializedString("function");

		static final SerializableString NAME = new SerializedString("name");

		static final SerializableString ARGUMENTS = new SerializedString("arguments");

		static final SerializableString LOGPROBS = new SerializedString("logprobs");

		static final SerializableString FINISH_REASON = new SerializedString("finish_reason");

		static final SerializableString USAGE = new SerializedString("usage");

		static final SerializableString PROMPT_TOKENS = new SerializedString("prompt_tokens");

		static final SerializableString COMPLETION_TOKENS = new SerializedString("completion_tokens");

		static final SerializableString TOTAL_TOKENS = new SerializedString("total_tokens");

		static final SerializableString PROMPT_TOKENS_DETAILS = new SerializedString("prompt_tokens_details");

		static final SerializableString CACHED_TOKENS = new SerializedString("cached_tokens");

		static final SerializableString CACHE_WRITE_TOKENS = new SerializedString("cache_write_tokens");

		static final SerializableString COMPLETION_TOKENS_DETAILS = new SerializedString("completion_tokens_details");

		static final SerializableString REASONING_TOKENS = new SerializedString("reasoning_tokens");

		private Names() {
		}

	}

}
