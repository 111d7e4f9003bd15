package dev.ferry.results;

import java.util.function.UnaryOperator;

import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.databind.json.JsonMapper;

import dev.ferry.batch.ApiError;

/**
 * Turns a provider's result line into one results item: the {@code custom_id}, whatever
 * the provider's format carries of {@code response} (OpenAI) and {@code result}
 * (Anthropic), and an {@code error {code, message}} for every request that did not
 * succeed, whichever format it came in.
 *
 * <p>
 * A line is read in one streaming pass and the item written straight to bytes: the
 * {@code response} and {@code result} are cut out of the line as they are, and only the
 * few properties that decide the error are decoded.
 */
public final class ResultItems {

	private final JsonMapper mapper;

	public ResultItems(JsonMapper mapper) {
		this.mapper = mapper;
	}

	/**
	 * The item of one result line.
	 * @param line the line
	 * @param customIds maps the line's {@code custom_id} to the caller's
	 * @return the item's JSON
	 * @throws ApiError 502 when the line is not a JSON object
	 */
	public RawJson item(JsonLine line, UnaryOperator<String> customIds) {
		Reading reading = read(line);
		ItemError error = reading.error();
		return JsonBytes.write(this.mapper, line.bytes().length + 128, (json) -> {
			json.writeStartObject();
			json.writeStringProperty("custom_id",
					(reading.customId != null) ? customIds.apply(reading.customId) : null);
			if (reading.response != null) {
				json.writeName("response");
				json.writeRawValue(reading.response);
			}
			if (reading.result != null) {
				json.writeName("result");
				json.writeRawValue(reading.result);
			}
			if (error != null) {
				json.writeObjectPropertyStart("error");
				json.writeStringProperty("code", error.code());
				json.writeStringProperty("message", error.message());
				json.writeEndObject();
			}
			json.writeEndObject();
		}).json();
	}

	private Reading read(JsonLine line) {
		try (JsonParser parser = JsonFields.parser(this.mapper, line.bytes())) {
			if (parser.nextToken() == JsonToken.START_OBJECT) {
				Reading reading = new Reading(parser, line.bytes());
				JsonFields.forEach(parser, reading::property);
				JsonFields.requireEnd(parser);
				return reading;
			}
		}
		catch (JacksonException ex) {
			// Reported below, with where the line was.
		}
		throw new ApiError(502, "api_error", "bad_result_line", "the provider's results hold a line that is not a "
				+ "JSON object, ending at byte " + line.end() + "; Ferry cannot page past it", null, null);
	}

	/** The error of a request that did not succeed, in one shape for every format. */
	private record ItemError(@Nullable String code, String message) {
	}

	/** What one line holds that its item needs. */
	private static final class Reading {

		private final JsonParser parser;

		private final byte[] line;

		@Nullable String customId;

		@Nullable RawJson response;

		@Nullable RawJson result;

		/**
		 * The line's own {@code error}, when it is an object (OpenAI's expired,
		 * canceled).
		 */
		@Nullable ItemError lineError;

		int statusCode = 200;

		@Nullable String bodyErrorCode;

		@Nullable String bodyErrorType;

		@Nullable String bodyErrorMessage;

		String resultType = "";

		String resultErrorType = "api_error";

		String resultErrorMessage = "";

		Reading(JsonParser parser, byte[] line) {
			this.parser = parser;
			this.line = line;
		}

		void property(String name) {
			boolean isNull = this.parser.currentToken() == JsonToken.VALUE_NULL;
			switch (name) {
				case "custom_id" -> this.customId = (this.parser.currentToken() == JsonToken.VALUE_STRING)
						? this.parser.getString() : null;
				case "response" -> this.response = isNull ? null
						: JsonFields.cut(this.parser, this.line, () -> JsonFields.forEach(this.parser, this::response));
				case "result" -> this.result = isNull ? null
						: JsonFields.cut(this.parser, this.line, () -> JsonFields.forEach(this.parser, this::result));
				case "error" ->
					this.lineError = (this.parser.currentToken() == JsonToken.START_OBJECT) ? lineError() : null;
				default -> {
					// id and anything newer are not part of an item
				}
			}
		}

		private ItemError lineError() {
			ItemError[] error = { new ItemError(null, "") };
			JsonFields.forEach(this.parser, (name) -> {
				switch (name) {
					case "code" -> error[0] = new ItemError(JsonFields.text(this.parser, null), error[0].message());
					case "message" -> error[0] = new ItemError(error[0].code(), JsonFields.text(this.parser, ""));
					default -> {
						// param and line are not part of an item's error
					}
				}
			});
			return error[0];
		}

		/** OpenAI's {@code response}: its status and, for a failure, its body's error. */
		private void response(String name) {
			switch (name) {
				case "status_code" -> this.statusCode = this.parser.getValueAsInt(200);
				case "body" -> JsonFields.forEach(this.parser, (body) -> {
					if (body.equals("error")) {
						JsonFields.forEach(this.parser, this::bodyError);
					}
				});
				default -> {
					// request_id is carried in the response as it is
				}
			}
		}

		private void bodyError(String name) {
			switch (name) {
				case "code" -> this.bodyErrorCode = JsonFields.text(this.parser, null);
				case "type" -> this.bodyErrorType = JsonFields.text(this.parser, null);
				case "message" -> this.bodyErrorMessage = JsonFields.text(this.parser, null);
				default -> {
					// param is carried in the response as it is
				}
			}
		}

		/** Anthropic's {@code result}: its type and, for an errored one, its error. */
		private void result(String name) {
			switch (name) {
				case "type" -> this.resultType = JsonFields.text(this.parser, "");
				case "error" -> JsonFields.forEach(this.parser, (envelope) -> {
					if (envelope.equals("error")) {
						JsonFields.forEach(this.parser, this::resultError);
					}
				});
				default -> {
					// the message is carried in the result as it is
				}
			}
		}

		private void resultError(String name) {
			switch (name) {
				case "type" -> this.resultErrorType = JsonFields.text(this.parser, "api_error");
				case "message" -> this.resultErrorMessage = JsonFields.text(this.parser, "");
				default -> {
					// details are carried in the result as they are
				}
			}
		}

		/**
		 * The line's own error first, then a failed response's, then a failed result's.
		 */
		@Nullable ItemError error() {
			if (this.lineError != null) {
				return this.lineError;
			}
			if (this.response != null && this.statusCode >= 400) {
				String code = (this.bodyErrorCode != null) ? this.bodyErrorCode
						: (this.bodyErrorType != null) ? this.bodyErrorType : "http_" + this.statusCode;
				return new ItemError(code, (this.bodyErrorMessage != null) ? this.bodyErrorMessage
						: "the request failed with HTTP " + this.statusCode);
			}
			if (this.result == null) {
				return null;
			}
			return switch (this.resultType) {
				case "succeeded" -> null;
				case "errored" -> new ItemError(this.resultErrorType, this.resultErrorMessage);
				case "expired" -> new ItemError("expired", "the request expired before it was processed");
				case "canceled" -> new ItemError("canceled", "the batch was canceled before the request was processed");
				default -> new ItemError(this.resultType,
						"the request did not succeed (result type '" + this.resultType + "')");
			};
		}

	}

}
