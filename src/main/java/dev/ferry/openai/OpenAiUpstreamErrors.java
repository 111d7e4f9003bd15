package dev.ferry.openai;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import dev.ferry.web.ApiError;

import org.springframework.web.reactive.function.client.ClientResponse;

/**
 * Turns an OpenAI-format upstream error response into an {@link ApiError} that keeps its
 * status, type, code, param and message.
 */
final class OpenAiUpstreamErrors {

	private static final int MAX_SHOWN_BODY = 500;

	private final String provider;

	private final JsonMapper mapper;

	OpenAiUpstreamErrors(String provider, JsonMapper mapper) {
		this.provider = provider;
		this.mapper = mapper;
	}

	Mono<Throwable> toError(ClientResponse response) {
		int status = response.statusCode().value();
		return response.bodyToMono(String.class).defaultIfEmpty("").map((body) -> (Throwable) parse(status, body));
	}

	ApiError parse(int status, String body) {
		JsonNode error = readError(body);
		if (error == null) {
			String shown = (body.length() > MAX_SHOWN_BODY) ? body.substring(0, MAX_SHOWN_BODY) + "…" : body;
			return new ApiError(status, typeFor(status), null,
					"provider '" + this.provider + "' answered " + status + (shown.isBlank() ? "" : ": " + shown), null,
					this.provider);
		}
		String type = OpenAiWire.text(error, "type");
		String message = OpenAiWire.text(error, "message");
		return new ApiError(status, (type != null) ? type : typeFor(status), OpenAiWire.text(error, "code"),
				(message != null) ? message : "provider '" + this.provider + "' answered " + status,
				OpenAiWire.text(error, "param"), this.provider);
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

	private static String typeFor(int status) {
		return switch (status) {
			case 401 -> "authentication_error";
			case 403 -> "permission_error";
			case 429 -> "rate_limit_error";
			default -> (status >= 500) ? "api_error" : ApiError.INVALID_REQUEST;
		};
	}

}
