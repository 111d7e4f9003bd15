package dev.ferry.translate;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;

import org.jspecify.annotations.Nullable;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.databind.json.JsonMapper;

import dev.ferry.results.JsonFields;
import dev.ferry.results.RawJson;

/**
 * What the OpenAI line of one Anthropic result line is made of, read in one streaming
 * pass without a tree: properties may come in any order, and everything else is skipped
 * undecoded.
 *
 * @param customId the line's {@code custom_id}, as Anthropic has it
 * @param type the result type: {@code succeeded}, {@code errored}, {@code expired} or
 * {@code canceled}
 * @param reply what a {@code chat.completion} takes from the message; null when the
 * message is kept as it is
 * @param messageJson a succeeded message's own JSON, when it is kept as it is
 * @param errorType an errored request's error type
 * @param errorMessage an errored request's error message
 * @param requestId an errored request's {@code request_id}
 * @param sizeHint the bytes of the line it was read from
 */
public record AnthropicResult(String customId, String type, @Nullable Reply reply, @Nullable RawJson messageJson,
		String errorType, @Nullable String errorMessage, @Nullable String requestId, int sizeHint) {

	public boolean succeeded() {
		return "succeeded".equals(this.type);
	}

	/**
	 * Reads one result line.
	 * @param mapper the mapper whose read constraints apply
	 * @param line the line's UTF-8 JSON
	 * @param keepMessage whether a succeeded message is kept as its JSON, rather than
	 * read into a {@link Reply}
	 * @return the result
	 * @throws tools.jackson.core.JacksonException when the line is not JSON
	 */
	public static AnthropicResult read(JsonMapper mapper, byte[] line, boolean keepMessage) {
		try (JsonParser parser = JsonFields.parser(mapper, line)) {
			parser.nextToken();
			Reading reading = new Reading(parser, line, keepMessage);
			JsonFields.forEach(parser, (name) -> {
				switch (name) {
					case "custom_id" -> reading.customId = JsonFields.text(parser, "");
					case "result" -> JsonFields.forEach(parser, reading::outcome);
					default -> {
						// id and anything newer are not translated
					}
				}
			});
			JsonFields.requireEnd(parser);
			return new AnthropicResult(reading.customId, reading.type, reading.reply, reading.messageJson,
					reading.errorType, reading.errorMessage, reading.requestId, line.length);
		}
	}

	/** The properties read so far from one line. */
	private static final class Reading {

		private final JsonParser parser;

		private final byte[] line;

		private final boolean keepMessage;

		String customId = "";

		String type = "";

		@Nullable Reply reply;

		@Nullable RawJson messageJson;

		String errorType = "api_error";

		@Nullable String errorMessage;

		@Nullable String requestId;

		Reading(JsonParser parser, byte[] line, boolean keepMessage) {
			this.parser = parser;
			this.line = line;
			this.keepMessage = keepMessage;
			this.reply = keepMessage ? null : Reply.NONE;
		}

		void outcome(String name) {
			switch (name) {
				case "type" -> this.type = JsonFields.text(this.parser, "");
				case "message" -> {
					if (this.keepMessage) {
						this.messageJson = (this.parser.currentToken() != JsonToken.VALUE_NULL)
								? JsonFields.raw(this.parser, this.line) : null;
					}
					else {
						this.reply = Reply.read(this.parser, this.line);
					}
				}
				case "error" -> JsonFields.forEach(this.parser, (property) -> {
					switch (property) {
						case "request_id" -> this.requestId = JsonFields.text(this.parser, null);
						case "error" -> JsonFields.forEach(this.parser, this::error);
						default -> {
							// the envelope's own type is always "error"
						}
					}
				});
				default -> {
					// nothing else in a result has an OpenAI counterpart
				}
			}
		}

		private void error(String name) {
			switch (name) {
				case "type" -> this.errorType = JsonFields.text(this.parser, "api_error");
				case "message" -> this.errorMessage = JsonFields.text(this.parser, null);
				default -> {
					// details Anthropic may add have no OpenAI field
				}
			}
		}

	}

	/**
	 * What a {@code chat.completion} takes from an Anthropic message.
	 *
	 * @param id the message id
	 * @param model the model
	 * @param text the text blocks joined, as the escaped UTF-8 inside a JSON string; null
	 * when there are none
	 * @param toolCalls the {@code tool_use} blocks
	 * @param stopReason the stop reason
	 * @param usage the token counts
	 */
	public record Reply(String id, String model, byte @Nullable [] text, List<ToolCall> toolCalls, String stopReason,
			Usage usage) {

		/** The reply of a succeeded result without a message. */
		static final Reply NONE = new Reply("", "", null, List.of(), "", Usage.NONE);

		static Reply read(JsonParser parser, byte[] line) {
			MessageReading reading = new MessageReading(parser, line);
			JsonFields.forEach(parser, reading::property);
			return new Reply(reading.id, reading.model, (reading.text.size() == 0) ? null : reading.text.toByteArray(),
					reading.toolCalls, reading.stopReason, reading.usage);
		}

	}

	/** The properties read so far from one message. */
	private static final class MessageReading {

		private final JsonParser parser;

		private final byte[] line;

		String id = "";

		String model = "";

		String stopReason = "";

		/** Escaped JSON string content joins as the text it stands for would. */
		final ByteArrayOutputStream text = new ByteArrayOutputStream();

		final List<ToolCall> toolCalls = new ArrayList<>();

		Usage usage = Usage.NONE;

		MessageReading(JsonParser parser, byte[] line) {
			this.parser = parser;
			this.line = line;
		}

		void property(String name) {
			switch (name) {
				case "id" -> this.id = JsonFields.text(this.parser, "");
				case "model" -> this.model = JsonFields.text(this.parser, "");
				case "stop_reason" -> this.stopReason = JsonFields.text(this.parser, "");
				case "content" -> JsonFields.forEachElement(this.parser, this::block);
				case "usage" -> this.usage = Usage.read(this.parser);
				default -> {
					// role, type and stop_sequence are fixed or have no counterpart
				}
			}
		}

		/**
		 * One content block: text is appended, a tool use becomes a tool call, and
		 * thinking and server-tool blocks, which have no {@code chat.completion} field,
		 * are dropped. The block's type may come after the properties it decides about.
		 */
		private void block() {
			Block block = new Block();
			JsonFields.forEach(this.parser, (name) -> {
				switch (name) {
					case "type" -> block.type = JsonFields.text(this.parser, "");
					case "text" -> block.text = JsonFields.escapedText(this.parser, this.line, "");
					case "id" -> block.id = JsonFields.text(this.parser, "");
					case "name" -> block.name = JsonFields.text(this.parser, "");
					case "input" -> block.input = JsonFields.raw(this.parser, this.line).getValue();
					default -> {
						// thinking, signatures, citations and cache control are dropped
					}
				}
			});
			switch (block.type) {
				case "text" -> this.text.writeBytes(block.text);
				case "tool_use" -> this.toolCalls.add(new ToolCall(block.id, block.name, block.input));
				default -> {
					// no chat.completion field
				}
			}
		}

	}

	/** One content block's properties. */
	private static final class Block {

		String type = "";

		byte[] text = {};

		String id = "";

		String name = "";

		String input = "{}";

	}

	/**
	 * An OpenAI tool call.
	 *
	 * @param id the {@code tool_use} id
	 * @param name the function's name
	 * @param arguments the tool input's JSON, which OpenAI carries as a string
	 */
	public record ToolCall(String id, String name, String arguments) {
	}

	/**
	 * Anthropic's token counts.
	 *
	 * @param input uncached input tokens
	 * @param cacheRead input tokens read from the cache
	 * @param cacheWrite input tokens written to the cache
	 * @param output output tokens
	 * @param reasoning output tokens spent on reasoning
	 */
	public record Usage(long input, long cacheRead, long cacheWrite, long output, long reasoning) {

		static final Usage NONE = new Usage(0, 0, 0, 0, 0);

		static Usage read(JsonParser parser) {
			long[] counts = new long[5];
			JsonFields.forEach(parser, (name) -> {
				switch (name) {
					case "input_tokens" -> counts[0] = parser.getValueAsLong(0);
					case "cache_read_input_tokens" -> counts[1] = parser.getValueAsLong(0);
					case "cache_creation_input_tokens" -> counts[2] = parser.getValueAsLong(0);
					case "output_tokens" -> counts[3] = parser.getValueAsLong(0);
					case "output_tokens_details" -> JsonFields.forEach(parser, (detail) -> {
						if (detail.equals("reasoning_tokens")) {
							counts[4] = parser.getValueAsLong(0);
						}
					});
					default -> {
						// server-tool counts and service tier have no OpenAI field
					}
				}
			});
			return new Usage(counts[0], counts[1], counts[2], counts[3], counts[4]);
		}

	}

}
