package dev.ferry.dialect;

import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import dev.ferry.batch.ApiError;

import org.springframework.web.reactive.function.server.ServerRequest;

/**
 * Reads small JSON request bodies whole; their size is bounded by
 * {@code ferry.files.max-request-body}.
 */
public final class JsonBodies {

	private JsonBodies() {
	}

	/**
	 * The request's JSON body.
	 * @param request the request
	 * @param mapper the mapper
	 * @return the parsed body; an {@link ApiError} 400 when it is missing or malformed
	 */
	public static Mono<JsonNode> read(ServerRequest request, JsonMapper mapper) {
		return request.bodyToMono(byte[].class)
			.switchIfEmpty(Mono.error(() -> ApiError.invalid(null, "body: missing (expected: a JSON object)")))
			.map(mapper::readTree);
	}

}
