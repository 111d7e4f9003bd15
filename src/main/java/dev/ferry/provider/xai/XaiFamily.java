package dev.ferry.provider.xai;

import java.net.URI;

import dev.ferry.batch.BatchProvider;
import dev.ferry.batch.ProviderDescriptor;
import dev.ferry.batch.ProviderFamily;
import dev.ferry.config.ProviderProperties;
import dev.ferry.provider.jobs.JobProviders;

import org.springframework.stereotype.Component;

/**
 * The {@code xai} family: xAI's Batch API. Ferry holds the caller's input files and, at
 * create, uploads them to xAI with every line's model set, then creates the batch on the
 * uploaded file.
 */
@Component
class XaiFamily implements ProviderFamily {

	static final ProviderDescriptor DESCRIPTOR = ProviderDescriptor.builder("xai")
		.format(ProviderDescriptor.Format.XAI)
		.filesApi(false)
		.endpoints("/v1/chat/completions", "/v1/responses")
		.build();

	private static final URI BASE_URL = URI.create("https://api.x.ai");

	private final JobProviders providers;

	XaiFamily(JobProviders providers) {
		this.providers = providers;
	}

	@Override
	public ProviderDescriptor descriptor() {
		return DESCRIPTOR;
	}

	@Override
	public URI defaultBaseUrl() {
		return BASE_URL;
	}

	@Override
	public BatchProvider create(String name, ProviderProperties properties) {
		return this.providers.create(name, properties, XaiApi::new);
	}

}
