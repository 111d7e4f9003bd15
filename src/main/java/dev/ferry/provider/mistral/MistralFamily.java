package dev.ferry.provider.mistral;

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
 * The {@code mistral} family: Mistral's batch jobs ({@code /v1/batch/jobs}). Ferry holds
 * the caller's input files and, at create, uploads them to Mistral in Mistral's line
 * shape, setting the batch's one model on the job.
 */
@Component
class MistralFamily extends JobFamily {

	/**
	 * The endpoints Mistral's batch jobs run that have an OpenAI-shaped request; Mistral
	 * takes up to a million requests per job (docs.mistral.ai/capabilities/batch), from
	 * files or inline in the job.
	 */
	static final ProviderDescriptor DESCRIPTOR = ProviderDescriptor.builder("mistral")
		.format(ProviderDescriptor.Format.MISTRAL)
		.filesApi(false)
		.inlineRequests(true)
		.endpoints("/v1/chat/completions", "/v1/embeddings", "/v1/fim/completions", "/v1/moderations",
				"/v1/chat/moderations", "/v1/ocr")
		.limits(1_000_000, 0)
		.build();

	MistralFamily(JobProviders providers) {
		super(DESCRIPTOR, URI.create("https://api.mistral.ai"), URI.create("https://api.mistral.ai/v1"), providers);
	}

	@Override
	protected JobApi wire(String name, ProviderProperties properties, JobClient client, JsonMapper mapper,
			int maxLineBytes) {
		return new MistralApi(client, mapper, maxLineBytes);
	}

}
