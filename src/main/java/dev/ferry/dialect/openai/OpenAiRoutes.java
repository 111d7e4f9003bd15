package dev.ferry.dialect.openai;

import dev.ferry.auth.GatewayKeys;
import dev.ferry.dialect.BatchApiRoutes;
import dev.ferry.idempotency.IdempotentCreates;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.ServerResponse;

/**
 * The OpenAI dialect: {@code /openai/v1/files…} and {@code /openai/v1/batches…} in
 * OpenAI's own wire format, so the official SDKs work with only a base-URL change.
 */
@Configuration(proxyBeanMethods = false)
class OpenAiRoutes {

	@Bean
	RouterFunction<ServerResponse> openAiDialect(OpenAiBatchesHandler batches, OpenAiFilesHandler files,
			GatewayKeys keys, IdempotentCreates creates) {
		return BatchApiRoutes.of("/openai/v1", "OpenAI dialect", batches, files, new OpenAiErrorRenderer(),
				new BatchApiRoutes.Guards(keys, creates));
	}

}
