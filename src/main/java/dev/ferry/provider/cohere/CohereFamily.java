package dev.ferry.provider.cohere;

import java.net.URI;

import reactor.core.scheduler.Schedulers;

import dev.ferry.batch.BatchProvider;
import dev.ferry.batch.ProviderDescriptor;
import dev.ferry.batch.ProviderFamily;
import dev.ferry.config.ProviderProperties;
import dev.ferry.provider.jobs.JobProviders;

import org.springframework.stereotype.Component;

/**
 * The {@code cohere} family: chat batches on Cohere's Batches API and embedding batches
 * on its Embed Jobs, both fed from datasets Ferry uploads.
 */
@Component
class CohereFamily implements ProviderFamily {

	/** A dataset holds at most 1.5 GB (docs.cohere.com/docs/datasets). */
	static final ProviderDescriptor DESCRIPTOR = ProviderDescriptor.builder("cohere")
		.format(ProviderDescriptor.Format.COHERE)
		.filesApi(false)
		.endpoints("/v1/chat/completions", "/v1/embeddings")
		.limits(0, 1_500L * 1000 * 1000)
		.build();

	private static final URI BASE_URL = URI.create("https://api.cohere.com");

	private final JobProviders providers;

	CohereFamily(JobProviders providers) {
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
		return this.providers.create(name, properties,
				(client, mapper) -> new CohereApi(client, mapper, Schedulers.boundedElastic()));
	}

}
