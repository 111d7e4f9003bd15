package dev.ferry.dialect.openai;

import java.util.LinkedHashMap;
import java.util.Map;

import reactor.core.publisher.Mono;

import dev.ferry.batch.ApiError;
import dev.ferry.dialect.ErrorRenderer;

import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;

/**
 * Renders errors as OpenAI does: {@code {"error":{message,type,param,code}}}.
 */
final class OpenAiErrorRenderer implements ErrorRenderer {

	@Override
	public Mono<ServerResponse> render(ApiError error, ServerRequest request) {
		return ErrorRenderer.respond(error)
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(Map.of("error", body(error)));
	}

	/**
	 * The inner error object, which the unified dialect shares.
	 * @param error the error
	 * @return {@code message, type, param, code}, with nulls kept as OpenAI does
	 */
	static Map<String, Object> body(ApiError error) {
		Map<String, Object> body = new LinkedHashMap<>();
		body.put("message", error.getMessage());
		body.put("type", error.type());
		body.put("param", error.param());
		body.put("code", error.code());
		return body;
	}

}
