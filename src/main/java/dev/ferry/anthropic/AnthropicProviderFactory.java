package dev.ferry.anthropic;

import tools.jackson.databind.json.JsonMapper;

import dev.ferry.batch.BatchMetadataStore;
import dev.ferry.batch.BatchProvider;
import dev.ferry.batch.ProviderFactory;
import dev.ferry.config.ProviderProperties;
import dev.ferry.config.ProviderType;
import dev.ferry.web.UpstreamClients;

import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.client.WebClient;

/**
 * Creates {@code anthropic} providers, each with its own pooled client.
 */
@Component
class AnthropicProviderFactory implements ProviderFactory {

	private final WebClient.Builder builder;

	private final JsonMapper mapper;

	private final BatchMetadataStore metadata;

	AnthropicProviderFactory(WebClient.Builder builder, JsonMapper mapper, BatchMetadataStore metadata) {
		this.builder = builder;
		this.mapper = mapper;
		this.metadata = metadata;
	}

	@Override
	public ProviderType type() {
		return ProviderType.ANTHROPIC;
	}

	@Override
	public BatchProvider create(String name, ProviderProperties properties) {
		return new AnthropicProvider(name, properties.requiredBaseUrl(name),
				UpstreamClients.create(name, properties, this.builder), properties.keys(), properties.apiVersion(),
				this.mapper, this.metadata);
	}

}
