package dev.ferry.provider.sandbox;

import java.time.Clock;

import tools.jackson.databind.json.JsonMapper;

import dev.ferry.batch.BatchProvider;
import dev.ferry.batch.ProviderFactory;
import dev.ferry.config.FerryProperties;
import dev.ferry.config.ProviderProperties;
import dev.ferry.config.ProviderType;
import dev.ferry.storage.BlobStore;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Component;

/**
 * Creates {@code sandbox} providers.
 */
@Component
class SandboxProviderFactory implements ProviderFactory {

	private final BlobStore blobs;

	private final JsonMapper mapper;

	private final int maxLineBytes;

	private final Clock clock;

	SandboxProviderFactory(BlobStore blobs, JsonMapper mapper, FerryProperties properties,
			ObjectProvider<Clock> clock) {
		this.blobs = blobs;
		this.mapper = mapper;
		this.maxLineBytes = (int) properties.files().maxLineSize().toBytes();
		this.clock = clock.getIfAvailable(Clock::systemUTC);
	}

	@Override
	public ProviderType type() {
		return ProviderType.SANDBOX;
	}

	@Override
	public BatchProvider create(String name, ProviderProperties properties) {
		SandboxFiles files = new SandboxFiles(name, this.blobs, this.mapper, this.maxLineBytes, this.clock);
		SandboxOutput output = new SandboxOutput(files, this.mapper, this.maxLineBytes);
		SandboxBatches batches = new SandboxBatches(name, properties.processingTime(), this.clock, files, output);
		return new SandboxProvider(name, files, batches);
	}

}
