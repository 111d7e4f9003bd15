package dev.ferry.provider.anthropic;

import java.time.Clock;

import tools.jackson.databind.json.JsonMapper;

import dev.ferry.batch.BatchProvider;
import dev.ferry.batch.ProviderFactory;
import dev.ferry.config.FerryProperties;
import dev.ferry.config.ProviderProperties;
import dev.ferry.config.ProviderType;
import dev.ferry.files.HeldFiles;
import dev.ferry.storage.BlobStore;
import dev.ferry.translate.ChatToMessages;
import dev.ferry.upstream.UpstreamClients;

import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.client.WebClient;

/**
 * Creates {@code anthropic} providers, each with its own pooled client.
 */
@Component
class AnthropicProviderFactory implements ProviderFactory {

	private final WebClient.Builder builder;

	private final JsonMapper mapper;

	private final KeptBatches kept;

	private final BlobStore blobs;

	private final int maxLineBytes;

	AnthropicProviderFactory(WebClient.Builder builder, JsonMapper mapper, KeptBatches kept, BlobStore blobs,
			FerryProperties properties) {
		this.builder = builder;
		this.mapper = mapper;
		this.kept = kept;
		this.blobs = blobs;
		this.maxLineBytes = (int) properties.files().maxLineSize().toBytes();
	}

	@Override
	public ProviderType type() {
		return ProviderType.ANTHROPIC;
	}

	@Override
	public BatchProvider create(String name, ProviderProperties properties) {
		AnthropicClient client = new AnthropicClient(name, UpstreamClients.create(name, properties, this.builder),
				properties, this.mapper);
		ChatToMessages translator = new ChatToMessages(this.mapper, properties.defaultMaxTokens());
		return new AnthropicProvider(name, client, this.kept,
				new HeldFiles(name, this.blobs, this.mapper, this.maxLineBytes, Clock.systemUTC()),
				new AnthropicBatchCreation(name, client, this.kept, translator, this.mapper, this.maxLineBytes),
				new AnthropicResultFiles(name, client, this.kept, this.mapper, this.maxLineBytes));
	}

}
