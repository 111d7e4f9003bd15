package dev.ferry.upstream;

import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import dev.ferry.batch.ApiError;

import org.springframework.http.HttpHeaders;
import org.springframework.web.reactive.function.client.ClientResponse;

/**
 * Turns an upstream's error response into an {@link ApiError} that keeps its status and
 * message; each wire family says how its error body reads.
 */
public abstract class UpstreamErrors {

	private static final int MAX_SHOWN_BODY = 500;

	protected final String provider;

	private final JsonMapper mapper;

	protected UpstreamErrors(String provider, JsonMapper mapper) {
		this.provider = provider;
		this.mapper = mapper;
	}

	/**
	 * The error for a non-2xx response, for {@code WebClient}'s {@code onStatus}.
	 * @param response the upstream response
	 * @return the error, once the body has been read
	 */
	public Mono<Throwable> toError(ClientResponse response) {
		int status = response.statusCode().value();
		Duration retryAfter = retryAfter(response.headers().asHttpHeaders().getFirst(HttpHeaders.RETRY_AFTER));
		return response.bodyToMono(String.class)
			.defaultIfEmpty("")
			.map((body) -> (Throwable) parse(status, body).answeredByUpstream(retryAfter));
	}

	/**
	 * A {@code Retry-After} value: delay seconds or an HTTP date.
	 * @param value the header value
	 * @return the wait, or {@code null} when absent or unreadable
	 */
	public static @Nullable Duration retryAfter(@Nullable String value) {
		if (value == null || value.isBlank()) {
			return null;
		}
		try {
			return Duration.ofSeconds(Math.max(0, Long.parseLong(value.trim())));
		}
		catch (NumberFormatException ex) {
			try {
				Instant at = ZonedDateTime.parse(value.trim(), DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
				Duration wait = Duration.between(Instant.now(), at);
				return wait.isNegative() ? Duration.ZERO : wait;
			}
			catch (DateTimeParseException notADate) {
				return null;
			}
		}
	}

	/**
	 * The error for a status and body.
	 * @param status the upstream status, kept
	 * @param body the upstream body
	 * @return the error
	 */
	public abstract ApiError parse(int status, String body);

	/**
	 * The {@code error} object of a JSON error body.
	 * @param body the body
	 * @return the object, or {@code null} when the body is not JSON or has none
	 */
	protected @Nullable JsonNode errorObject(String body) {
		try {
			JsonNode error = this.mapper.readTree(body).get("error");
			return (error != null && error.isObject()) ? error : null;
		}
		catch (JacksonException ex) {
			return null;
		}
	}

	/**
	 * A message for an error body that says nothing readable: the status and the start of
	 * the body.
	 * @param status the upstream status
	 * @param body the upstream body
	 * @return the message
	 */
	protected String unreadableMessage(int status, String body) {
		String shown = (body.length() > MAX_SHOWN_BODY) ? body.substring(0, MAX_SHOWN_BODY) + "…" : body;
		return "provider '" + this.provider + "' answered " + status + (shown.isBlank() ? "" : ": " + shown);
	}

	/**
	 * OpenAI's error type for a status, for bodies that name none.
	 * @param status the upstream status
	 * @return the type
	 */
	protected static String openAiTypeFor(int status) {
		return switch (status) {
			case 401 -> "authentication_error";
			case 403 -> "permission_error";
			case 429 -> "rate_limit_error";
			default -> (status >= 500) ? "api_error" : ApiError.INVALID_REQUEST;
		};
	}

	/**
	 * A string field of a JSON object.
	 * @param node the object
	 * @param field the field
	 * @return the value, or {@code null} when absent or null
	 */
	protected static @Nullable String text(JsonNode node, String field) {
		JsonNode value = node.get(field);
		return (value == null || value.isNull()) ? null : value.asString();
	}

}
