package dev.ferry.provider.cohere;

import java.net.URI;

import reactor.core.scheduler.Schedulers;
import tools.jackson.databind.json.JsonMapper;

import dev.ferry.batch.ProviderDescriptor;
import dev.ferry.config.ProviderProperties;
import dev.ferry.provider.jobs.JobApi;
import dev.ferry.provider.jobs.JobClient;
import dev.ferry.provider.jobs.JobFamily;
import dev.ferry.provider.jobs.JobProviders;

import org.springframework.stereotype.Component;

/**
 * The {@code cohere} family: chat batches on Cohere's Batches API and embedding batches
 * on its Embed Jobs, both fed from datasets Ferry uploads.
 */
@Component
class CohereFamily extends JobFamily {

	/** A dataset holds at most 1.5 GB (docs.cohere.com/docs/datasets). */
	static final ProviderDescriptor DESCRIPTOR = ProviderDescriptor.builder("cohere")
		.format(ProviderDescriptor.Format.COHERE)
		.filesApi(false)
		.endpoints("/v1/chat/completions", "/v1/embeddings")
		.limits(0, 1_500L * 1000 * 1000)
		.build();

	CohereFamily(JobProviders providers) {
		super(DESCRIPTOR, URI.create("https://api.cohere.com"), URI.create("https://api.cohere.ai/compatibility/v1"),
				providers);
	}

	@Override
	protected JobApi wire(String name, ProviderProperties properties, JobClient client, JsonMapper mapper,
			int maxLineBytes) {
		return new CohereApi(client, mapper, Schedulers.boundedElastic());
	}

}
