package dev.ferry.openai;

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
 * The OpenAI dialect: {@code /openai/v1/files…} and {@code /openai/v1/batches…} in
 * OpenAI's own wire format, so the official SDKs work with only a base-URL change.
 */
@Configuration(proxyBeanMethods = false)
class OpenAiRoutes {

	@Bean
	RouterFunction<ServerResponse> openAiDialect(OpenAiBatchesHandler batches, OpenAiFilesHandler files) {
		return RouterFunctions.route()
			.path("/openai/v1",
					(v1) -> v1.POST("/files", files::upload)
						.GET("/files", files::list)
						.GET("/files/{file_id}", files::retrieve)
						.DELETE("/files/{file_id}", files::delete)
						.GET("/files/{file_id}/content", files::content)
						.POST("/batches", batches::create)
						.GET("/batches", batches::list)
						.GET("/batches/{batch_id}", batches::retrieve)
						.POST("/batches/{batch_id}/cancel", batches::cancel))
			.route(RequestPredicates.path("/openai/**"),
					(request) -> Mono.error(new ApiError(404, ApiError.INVALID_REQUEST, "unknown_route",
							"no such endpoint: " + request.method() + " " + request.path()
									+ " (the OpenAI dialect serves /openai/v1/files… and /openai/v1/batches…)",
							null, null)))
			.filter(new OpenAiErrorRenderer().asFilter())
			.filter(CallerCredentials.capture())
			.build();
	}

}
