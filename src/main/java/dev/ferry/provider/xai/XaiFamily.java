package dev.ferry.provider.xai;

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
 * The {@code xai} family: xAI's Batch API. Ferry holds the caller's input files and, at
 * create, uploads them to xAI with every line's model set, then creates the batch on the
 * uploaded file.
 */
@Component
class XaiFamily extends JobFamily {

	static final ProviderDescriptor DESCRIPTOR = ProviderDescriptor.builder("xai")
		.format(ProviderDescriptor.Format.XAI)
		.filesApi(false)
		.endpoints("/v1/chat/completions", "/v1/responses")
		.build();

	XaiFamily(JobProviders providers) {
		super(DESCRIPTOR, URI.create("https://api.x.ai"), URI.create("https://api.x.ai/v1"), providers);
	}

	@Override
	protected JobApi wire(String name, ProviderProperties properties, JobClient client, JsonMapper mapper,
			int maxLineBytes) {
		return new XaiApi(client, mapper);
	}

}
