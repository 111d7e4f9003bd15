package dev.ferry.web;

import reactor.core.publisher.Mono;

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
	 * A filter that renders every failure of the routes it wraps with this renderer.
	 * @return the filter
	 */
	default HandlerFilterFunction<ServerResponse, ServerResponse> asFilter() {
		// Deferred so that a handler throwing before it returns a Mono is rendered too.
		return (request, next) -> Mono.defer(() -> next.handle(request))
			.onErrorResume((failure) -> render(ApiErrors.from(failure), request));
	}

}
