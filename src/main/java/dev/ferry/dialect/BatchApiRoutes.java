package dev.ferry.dialect;

import java.util.function.Consumer;

import reactor.core.publisher.Mono;

import dev.ferry.auth.CallerHeaders;
import dev.ferry.auth.GatewayKeys;
import dev.ferry.batch.ApiError;

import org.springframework.web.reactive.function.server.HandlerFilterFunction;
import org.springframework.web.reactive.function.server.RequestPredicates;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;

/**
 * The route table shared by the OpenAI-shaped dialects: files and batches under one
 * prefix, every failure rendered by the dialect, unknown paths answered with a 404 in the
 * dialect's shape.
 */
public final class BatchApiRoutes {

	private BatchApiRoutes() {
	}

	/** Handlers for {@code /batches…}. */
	public interface Batches {

		Mono<ServerResponse> create(ServerRequest request);

		Mono<ServerResponse> list(ServerRequest request);

		Mono<ServerResponse> retrieve(ServerRequest request);

		Mono<ServerResponse> cancel(ServerRequest request);

	}

	/** Handlers for {@code /files…}. */
	public interface Files {

		Mono<ServerResponse> upload(ServerRequest request);

		Mono<ServerResponse> list(ServerRequest request);

		Mono<ServerResponse> retrieve(ServerRequest request);

		Mono<ServerResponse> delete(ServerRequest request);

		Mono<ServerResponse> content(ServerRequest request);

	}

	/**
	 * The routes of one dialect.
	 * @param prefix the path prefix, such as {@code /openai/v1}
	 * @param dialect the dialect's name, for the unknown-route message
	 * @param batches the batch handlers
	 * @param files the file handlers
	 * @param errors the dialect's error renderer
	 * @param guards the gateway keys callers authenticate with, and what guards creates
	 * @return the router
	 */
	public static RouterFunction<ServerResponse> of(String prefix, String dialect, Batches batches, Files files,
			ErrorRenderer errors, Guards guards) {
		return of(prefix, dialect, batches, files, errors, guards, (api) -> {
		});
	}

	/**
	 * The routes of one dialect, with routes of its own under the same prefix.
	 * @param prefix the path prefix, such as {@code /v1}
	 * @param dialect the dialect's name, for the unknown-route message
	 * @param batches the batch handlers
	 * @param files the file handlers
	 * @param errors the dialect's error renderer
	 * @param guards the gateway keys callers authenticate with, and what guards creates
	 * @param more adds the dialect's own routes, relative to the prefix
	 * @return the router
	 */
	public static RouterFunction<ServerResponse> of(String prefix, String dialect, Batches batches, Files files,
			ErrorRenderer errors, Guards guards, Consumer<RouterFunctions.Builder> more) {
		return RouterFunctions.route().path(prefix, (api) -> {
			api.POST("/files", files::upload)
				.GET("/files", files::list)
				.GET("/files/{file_id}", files::retrieve)
				.DELETE("/files/{file_id}", files::delete)
				.GET("/files/{file_id}/content", files::content)
				.POST("/batches", guards.creates().apply(batches::create))
				.GET("/batches", batches::list)
				.GET("/batches/{batch_id}", batches::retrieve)
				.POST("/batches/{batch_id}/cancel", batches::cancel);
			more.accept(api);
		})
			.route(RequestPredicates.path(prefix + "/**"),
					(request) -> Mono.error(new ApiError(404, ApiError.INVALID_REQUEST, "unknown_route",
							"no such endpoint: " + request.method() + " " + request.path() + " (the " + dialect
									+ " serves " + prefix + "/files… and " + prefix + "/batches…)",
							null, null)))
			.filter(errors.asFilter())
			.filter(CallerHeaders.capture(guards.keys()))
			.build();
	}

	/**
	 * What every dialect's routes are guarded by.
	 *
	 * @param keys the gateway keys callers authenticate with
	 * @param creates the filter around batch creates (idempotency keys)
	 */
	public record Guards(GatewayKeys keys, HandlerFilterFunction<ServerResponse, ServerResponse> creates) {
	}

}
