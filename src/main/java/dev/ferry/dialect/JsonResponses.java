package dev.ferry.dialect;

import reactor.core.publisher.Mono;

import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.server.EntityResponse;
import org.springframework.web.reactive.function.server.ServerResponse;

/**
 * The 200 JSON response every dialect answers with.
 */
public final class JsonResponses {

	private JsonResponses() {
	}

	/**
	 * A 200 with a JSON body, kept as an entity so that filters can read what was
	 * answered (idempotent creates record it).
	 * @param body the body, written by the JSON codec
	 * @return the response
	 */
	public static Mono<ServerResponse> ok(Object body) {
		return EntityResponse.fromObject(body)
			.contentType(MediaType.APPLICATION_JSON)
			.build()
			.map((response) -> response);
	}

}
