package dev.ferry.dialect.anthropic;

import reactor.core.publisher.Mono;

import dev.ferry.auth.CallerHeaders;
import dev.ferry.auth.GatewayKeys;
import dev.ferry.batch.ApiError;
import dev.ferry.idempotency.IdempotentCreates;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.reactive.function.server.RequestPredicates;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;

/**
 * The Anthropic dialect: {@code /anthropic/v1/messages/batches…}, so the official
 * Anthropic SDKs work with {@code base_url=http://ferry:8080/anthropic}.
 */
@Configuration(proxyBeanMethods = false)
class AnthropicRoutes {

	@Bean
	RouterFunction<ServerResponse> anthropicDialect(AnthropicBatchesHandler batches, GatewayKeys keys,
			IdempotentCreates creates) {
		return RouterFunctions.route()
			.path("/anthropic/v1/messages/batches",
					(api) -> api.POST("", creates.apply(batches::create))
						.GET("", batches::list)
						.GET("/{message_batch_id}", batches::retrieve)
						.POST("/{message_batch_id}/cancel", batches::cancel)
						.DELETE("/{message_batch_id}", batches::delete)
						.GET("/{message_batch_id}/results", batches::results))
			.route(RequestPredicates.path("/anthropic/**"),
					(request) -> Mono.error(new ApiError(404, "not_found_error", "unknown_route",
							"no such endpoint: " + request.method() + " " + request.path()
									+ " (the Anthropic dialect serves /anthropic/v1/messages/batches…)",
							null, null)))
			.filter(new AnthropicErrorRenderer().asFilter())
			.filter(CallerHeaders.capture(keys))
			.build();
	}

}
