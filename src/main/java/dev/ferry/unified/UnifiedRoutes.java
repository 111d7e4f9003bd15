package dev.ferry.unified;

import reactor.core.publisher.Mono;

import dev.ferry.web.ApiError;
import dev.ferry.web.CallerCredentials;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.reactive.function.server.RequestPredicates;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;

/**
 * The unified Ferry API: {@code /v1/batches…} and {@code /v1/files…}, the provider chosen
 * per request.
 */
@Configuration(proxyBeanMethods = false)
class UnifiedRoutes {

	@Bean
	RouterFunction<ServerResponse> unifiedApi(UnifiedBatchesHandler batches, UnifiedFilesHandler files) {
		return RouterFunctions.route()
			.path("/v1",
					(v1) -> v1.POST("/files", files::upload)
						.GET("/files", files::list)
						.GET("/files/{file_id}", files::retrieve)
						.DELETE("/files/{file_id}", files::delete)
						.GET("/files/{file_id}/content", files::content)
						.POST("/batches", batches::create)
						.GET("/batches", batches::list)
						.GET("/batches/{batch_id}", batches::retrieve)
						.POST("/batches/{batch_id}/cancel", batches::cancel))
			.route(RequestPredicates.path("/v1/**"),
					(request) -> Mono.error(new ApiError(404, ApiError.INVALID_REQUEST, "unknown_route",
							"no such endpoint: " + request.method() + " " + request.path()
									+ " (the unified API serves /v1/files… and /v1/batches…)",
							null, null)))
			.filter(new UnifiedErrorRenderer().asFilter())
			.filter(CallerCredentials.capture())
			.build();
	}

}
