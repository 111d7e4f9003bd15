package dev.ferry.anthropic;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import dev.ferry.web.ApiError;

import org.springframework.web.reactive.function.client.ClientResponse;

/**
 * Turns Anthropic's error responses ({@code {"type":"error","error":{type,message}}})
 * into {@link ApiError}s that keep the status, type and message.
 */
final class AnthropicUpstreamErrors {

	private static final int MAX_SHOWN_BODY = 500;

	private final String provider;

	private final JsonMapper mapper;

	AnthropicUpstreamErrors(String provider, JsonMapper mapper) {
		this.provider = provider;
		this.mapper = mapper;
	}

	Mono<Throwable> toError(ClientResponse response) {
		int status = response.statusCode().value();
		return response.bodyToMono(String.class).defaultIfEmpty("").map((body) -> (Throwable) parse(status, body));
	}

	ApiError parse(int status, String body) {
		JsonNode error = readError(body);
		String type = (error != null) ? AnthropicWire.text(error, "type") : null;
		String message = (error != null) ? AnthropicWire.text(error, "message") : null;
		if (message == null) {
			String shown = (body.length() > MAX_SHOWN_BODY) ? body.substring(0, MAX_SHOWN_BODY) + "…" : body;
			message = "provider '" + this.provider + "' answered " + status + (shown.isBlank() ? "" : ": " + shown);
		}
		return new ApiError(status, (type != null) ? type : typeFor(status), null, message, null, this.provider);
	}

	private @Nullable JsonNode readError(String body) {
		try {
			JsonNode error = this.mapper.readTree(body).get("error");
			return (error != null && error.isObject()) ? error : null;
		}
		catch (JacksonException ex) {
			return null;
		}
	}

	/** Anthropic's error type for a status, per its documented pairs. */
	static String typeFor(int status) {
		return switch (status) {
			case 400 -> "invalid_request_error";
			case 401 -> "authentication_error";
			case 402 -> "billing_error";
			case 403 -> "permission_error";
			case 404 -> "not_found_error";
			case 413 -> "request_too_large";
			case 429 -> "rate_limit_error";
			case 504 -> "timeout_error";
			case 529 -> "overloaded_error";
			default -> (status >= 500) ? "api_error" : "invalid_request_error";
		};
	}

}
