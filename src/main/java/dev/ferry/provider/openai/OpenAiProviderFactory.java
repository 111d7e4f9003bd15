package dev.ferry.provider.openai;

import tools.jackson.databind.json.JsonMapper;

import dev.ferry.batch.BatchProvider;
import dev.ferry.batch.ProviderFactory;
import dev.ferry.config.ProviderProperties;
import dev.ferry.config.ProviderType;
import dev.ferry.upstream.UpstreamClients;

import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.client.WebClient;

/**
 * Creates {@code openai} providers, each with its own pooled client.
 */
@Component
class OpenAiProviderFactory implements ProviderFactory {

	private final WebClient.Builder builder;

	private final JsonMapper mapper;

	OpenAiProviderFactory(WebClient.Builder builder, JsonMapper mapper) {
		this.builder = builder;
		this.mapper = mapper;
	}

	@Override
	public ProviderType type() {
		return ProviderType.OPENAI;
	}

	@Override
	public BatchProvider create(String name, ProviderProperties properties) {
		return new OpenAiProvider(name, UpstreamClients.create(name, properties, this.builder), properties,
				this.mapper);
	}

}
