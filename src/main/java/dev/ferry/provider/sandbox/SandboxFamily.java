package dev.ferry.provider.sandbox;

import java.time.Clock;

import tools.jackson.databind.json.JsonMapper;

import dev.ferry.batch.BatchProvider;
import dev.ferry.batch.ProviderDescriptor;
import dev.ferry.batch.ProviderFamily;
import dev.ferry.config.FerryProperties;
import dev.ferry.config.ProviderProperties;
import dev.ferry.storage.BlobStore;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Component;

/**
 * The {@code sandbox} family: in-process simulated providers.
 */
@Component
class SandboxFamily implements ProviderFamily {

	/** What the sandbox simulates: file and inline batches of every echoed endpoint. */
	static final ProviderDescriptor DESCRIPTOR = ProviderDescriptor.builder("sandbox")
		.endpoints(EchoResponder.ENDPOINTS.toArray(String[]::new))
		.auth(ProviderDescriptor.Auth.NONE)
		.build();

	private final BlobStore blobs;

	private final JsonMapper mapper;

	private final int maxLineBytes;

	private final Clock clock;

	SandboxFamily(BlobStore blobs, JsonMapper mapper, FerryProperties properties, ObjectProvider<Clock> clock) {
		this.blobs = blobs;
		this.mapper = mapper;
		this.maxLineBytes = (int) properties.files().maxLineSize().toBytes();
		this.clock = clock.getIfAvailable(Clock::systemUTC);
	}

	@Override
	public ProviderDescriptor descriptor() {
		return DESCRIPTOR;
	}

	@Override
	public boolean callsUpstream() {
		return false;
	}

	@Override
	public BatchProvider create(String name, ProviderProperties properties) {
		SandboxFiles files = new SandboxFiles(name, this.blobs, this.mapper, this.maxLineBytes, this.clock);
		SandboxOutput output = new SandboxOutput(files, this.mapper, this.maxLineBytes);
		SandboxBatches batches = new SandboxBatches(name, properties.processingTime(), this.clock, files, output,
				this.blobs, this.mapper);
		return new SandboxProvider(name, files, batches);
	}

}
