package dev.ferry.dialect.unified;

import dev.ferry.auth.GatewayKeys;
import dev.ferry.dialect.BatchApiRoutes;
import dev.ferry.idempotency.IdempotentCreates;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.ServerResponse;

/**
 * The unified Ferry API: {@code /v1/batches…} and {@code /v1/files…}, the provider chosen
 * per request.
 */
@Configuration(proxyBeanMethods = false)
class UnifiedRoutes {

	@Bean
	RouterFunction<ServerResponse> unifiedApi(UnifiedBatchesHandler batches, UnifiedFilesHandler files,
			UnifiedResultsHandler results, UnifiedProvidersHandler providers, UnifiedUsageHandler usage,
			GatewayKeys keys, IdempotentCreates creates) {
		return BatchApiRoutes.of("/v1", "unified API", batches, files, new UnifiedErrorRenderer(),
				new BatchApiRoutes.Guards(keys, creates),
				(api) -> api.GET("/batches/{batch_id}/results", results::results)
					.DELETE("/batches/{batch_id}", batches::delete)
					.GET("/providers", providers::list)
					.GET("/usage", usage::usage));
	}

}
