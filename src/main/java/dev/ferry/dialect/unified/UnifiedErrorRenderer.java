package dev.ferry.dialect.unified;

import java.util.LinkedHashMap;
import java.util.Map;

import reactor.core.publisher.Mono;

import dev.ferry.batch.ApiError;
import dev.ferry.dialect.ErrorRenderer;

import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;

/**
 * Renders errors in the unified envelope:
 * {@code {"error":{message,type,param,code},"extra_fields":{provider}}}.
 */
public final class UnifiedErrorRenderer implements ErrorRenderer {

	@Override
	public Mono<ServerResponse> render(ApiError error, ServerRequest request) {
		Map<String, Object> inner = new LinkedHashMap<>();
		inner.put("message", error.getMessage());
		inner.put("type", error.type());
		inner.put("param", error.param());
		inner.put("code", error.code());
		Map<String, Object> extra = new LinkedHashMap<>();
		extra.put("status_code", error.status());
		if (error.provider() != null) {
			extra.put("provider", error.provider());
		}
		Map<String, Object> body = new LinkedHashMap<>();
		body.put("error", inner);
		body.put("extra_fields", extra);
		return ErrorRenderer.respond(error).contentType(MediaType.APPLICATION_JSON).bodyValue(body);
	}

}
