package dev.ferry.dialect.anthropic;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

import reactor.core.publisher.Mono;

import dev.ferry.batch.ApiError;
import dev.ferry.dialect.ErrorRenderer;
import dev.ferry.translate.AnthropicErrorTypes;

import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;

/**
 * Renders errors as Anthropic does: {@code {"type":"error","error":{type,message}}}, with
 * a type from Anthropic's own set.
 */
final class AnthropicErrorRenderer implements ErrorRenderer {

	private static final Set<String> ANTHROPIC_TYPES = Set.of("invalid_request_error", "authentication_error",
			"billing_error", "permission_error", "not_found_error", "request_too_large", "rate_limit_error",
			"api_error", "timeout_error", "overloaded_error");

	@Override
	public Mono<ServerResponse> render(ApiError error, ServerRequest request) {
		boolean known = ANTHROPIC_TYPES.contains(error.type())
				&& !(error.status() == 404 && error.type().equals(ApiError.INVALID_REQUEST));
		Map<String, Object> inner = new LinkedHashMap<>();
		inner.put("type", known ? error.type() : AnthropicErrorTypes.typeFor(error.status()));
		inner.put("message", error.getMessage());
		Map<String, Object> body = new LinkedHashMap<>();
		body.put("type", "error");
		body.put("error", inner);
		return ErrorRenderer.respond(error).contentType(MediaType.APPLICATION_JSON).bodyValue(body);
	}

}
