package dev.ferry.web;

import reactor.core.publisher.Mono;

import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.server.ServerResponse;

/**
 * The 200 JSON response every dialect answers with.
 */
public final class JsonResponses {

	private JsonResponses() {
	}

	public static Mono<ServerResponse> ok(Object body) {
		return ServerResponse.ok().contentType(MediaType.APPLICATION_JSON).bodyValue(body);
	}

}
