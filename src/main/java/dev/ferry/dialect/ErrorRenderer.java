package dev.ferry.dialect;

import java.time.Duration;

import reactor.core.publisher.Mono;

import dev.ferry.batch.ApiError;
import dev.ferry.batch.ApiErrors;

import org.springframework.http.HttpHeaders;
import org.springframework.web.reactive.function.server.HandlerFilterFunction;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;

/**
 * Renders an {@link ApiError} in one dialect's wire shape.
 */
@FunctionalInterface
public interface ErrorRenderer {

	/**
	 * The response for an error.
	 * @param error the error
	 * @param request the request that failed
	 * @return the response
	 */
	Mono<ServerResponse> render(ApiError error, ServerRequest request);

	/**
	 * The start of an error response: the error's status, and a {@code Retry-After} in
	 * whole seconds when the error carries a wait.
	 * @param error the error
	 * @return the builder, for the dialect's body
	 */
	static ServerResponse.BodyBuilder respond(ApiError error) {
		ServerResponse.BodyBuilder response = ServerResponse.status(error.status());
		Duration wait = error.retryAfter();
		if (wait != null) {
			long seconds = wait.toSeconds() + ((wait.toNanosPart() > 0) ? 1 : 0);
			response.header(HttpHeaders.RETRY_AFTER, Long.toString(seconds));
		}
		return response;
	}

	/**
	 * A filter that renders every failure of the routes it wraps with this renderer.
	 * @return the filter
	 */
	default HandlerFilterFunction<ServerResponse, ServerResponse> asFilter() {
		// Deferred so that a handler throwing before it returns a Mono is rendered too.
		return (request, next) -> Mono.defer(() -> next.handle(request))
			.onErrorResume((failure) -> render(ApiErrors.from(failure), request));
	}

}
