package dev.ferry.provider.gemini;

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
 * The {@code gemini} family: the Gemini API's batch mode
 * ({@code generativelanguage.googleapis.com}), with its key in {@code x-goog-api-key}.
 * Ferry holds the caller's input files and, at create, uploads the requests translated
 * into Gemini's shape as a file of its own.
 */
@Component
class GeminiFamily extends JobFamily {

	/**
	 * Chat and embedding requests; an input file of at most 2 GB
	 * (ai.google.dev/gemini-api/docs/batch-api).
	 */
	static final ProviderDescriptor DESCRIPTOR = ProviderDescriptor.builder("gemini")
		.format(ProviderDescriptor.Format.GEMINI)
		.filesApi(false)
		.auth(ProviderDescriptor.Auth.X_GOOG_API_KEY)
		.endpoints(GeminiApi.CHAT, GeminiApi.EMBEDDINGS)
		.limits(0, GeminiApi.MAX_FILE_BYTES)
		.build();

	GeminiFamily(JobProviders providers) {
		super(DESCRIPTOR, URI.create("https://generativelanguage.googleapis.com"),
				URI.create("https://generativelanguage.googleapis.com/v1beta/openai"), providers);
	}

	@Override
	protected JobApi wire(String name, ProviderProperties properties, JobClient client, JsonMapper mapper,
			int maxLineBytes) {
		return new GeminiApi(client, mapper, maxLineBytes);
	}

}
