package dev.ferry.provider.openrouter;

import java.net.URI;

import tools.jackson.databind.json.JsonMapper;

import dev.ferry.batch.ProviderDescriptor;
import dev.ferry.config.ProviderProperties;
import dev.ferry.provider.jobs.JobApi;
import dev.ferry.provider.jobs.JobClient;
import dev.ferry.provider.jobs.JobFamily;
import dev.ferry.provider.jobs.JobProviders;

import org.springframework.stereotype.Component;

/**
 * The {@code openrouter} family: OpenRouter's Batch API, which takes no files. Ferry
 * holds the caller's input files and, at create, expands one into the create body as it
 * streams.
 */
@Component
class OpenRouterFamily extends JobFamily {

	/**
	 * One model and endpoint per batch, at most 5,000 requests and 200 MB, only the
	 * {@code 24h} window, and no cancel (openrouter.ai/docs/guides/features/batch-api).
	 */
	static final ProviderDescriptor DESCRIPTOR = ProviderDescriptor.builder("openrouter")
		.format(ProviderDescriptor.Format.OPENROUTER)
		.filesApi(false)
		.inlineRequests(true)
		.endpoints("/v1/chat/completions", "/v1/responses", "/v1/embeddings")
		.limits(OpenRouterApi.MAX_REQUESTS, OpenRouterApi.MAX_BODY_BYTES)
		.cancels(false)
		.build();

	OpenRouterFamily(JobProviders providers) {
		super(DESCRIPTOR, URI.create("https://openrouter.ai/api"), URI.create("https://openrouter.ai/api/v1"),
				providers);
	}

	@Override
	protected JobApi wire(String name, ProviderProperties properties, JobClient client, JsonMapper mapper,
			int maxLineBytes) {
		return new OpenRouterApi(client, mapper);
	}

}
