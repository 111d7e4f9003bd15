package dev.ferry.provider.mistral;

import java.net.URI;

import dev.ferry.batch.BatchProvider;
import dev.ferry.batch.ProviderDescriptor;
import dev.ferry.batch.ProviderFamily;
import dev.ferry.config.ProviderProperties;
import dev.ferry.provider.jobs.JobProviders;

import org.springframework.stereotype.Component;

/**
 * The {@code mistral} family: Mistral's batch jobs ({@code /v1/batch/jobs}). Ferry holds
 * the caller's input files and, at create, uploads them to Mistral in Mistral's line
 * shape, setting the batch's one model on the job.
 */
@Component
class MistralFamily implements ProviderFamily {

	/**
	 * The endpoints Mistral's batch jobs run that have an OpenAI-shaped request; Mistral
	 * takes up to a million requests per job (docs.mistral.ai/capabilities/batch).
	 */
	static final ProviderDescriptor DESCRIPTOR = ProviderDescriptor.builder("mistral")
		.format(ProviderDescriptor.Format.MISTRAL)
		.filesApi(false)
		.endpoints("/v1/chat/completions", "/v1/embeddings", "/v1/fim/completions", "/v1/moderations",
				"/v1/chat/moderations", "/v1/ocr")
		.limits(1_000_000, 0)
		.build();

	private static final URI BASE_URL = URI.create("https://api.mistral.ai");

	private final JobProviders providers;

	MistralFamily(JobProviders providers) {
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
				(client, mapper) -> new MistralApi(client, mapper, this.providers.maxLineBytes()));
	}

}
