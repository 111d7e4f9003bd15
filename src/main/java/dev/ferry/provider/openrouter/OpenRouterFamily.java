package dev.ferry.provider.openrouter;

import java.net.URI;

import dev.ferry.batch.BatchProvider;
import dev.ferry.batch.ProviderDescriptor;
import dev.ferry.batch.ProviderFamily;
import dev.ferry.config.ProviderProperties;
import dev.ferry.provider.jobs.JobProviders;

import org.springframework.stereotype.Component;

/**
 * The {@code openrouter} family: OpenRouter's Batch API, which takes no files. Ferry
 * holds the caller's input files and, at create, expands one into the create body as it
 * streams.
 */
@Component
class OpenRouterFamily implements ProviderFamily {

	/**
	 * One model and endpoint per batch, at most 5,000 requests and 200 MB, only the
	 * {@code 24h} window, and no cancel (openrouter.ai/docs/guides/features/batch-api).
	 */
	static final ProviderDescriptor DESCRIPTOR = ProviderDescriptor.builder("openrouter")
		.format(ProviderDescriptor.Format.OPENROUTER)
		.filesApi(false)
		.endpoints("/v1/chat/completions", "/v1/responses", "/v1/embeddings")
		.limits(OpenRouterApi.MAX_REQUESTS, OpenRouterApi.MAX_BODY_BYTES)
		.cancels(false)
		.build();

	private static final URI BASE_URL = URI.create("https://openrouter.ai/api");

	private final JobProviders providers;

	OpenRouterFamily(JobProviders providers) {
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
		return this.providers.create(name, properties, OpenRouterApi::new);
	}

}
