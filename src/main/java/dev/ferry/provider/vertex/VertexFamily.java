package dev.ferry.provider.vertex;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;

import reactor.core.publisher.Mono;
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
 * The {@code vertex} family: Vertex AI batch prediction for Gemini and Claude models, in
 * a project and location, staged in a Cloud Storage bucket, with OAuth tokens from a
 * service account key or the environment's default credentials. Ferry holds the caller's
 * input files and, at create, writes the requests in the model's shape to the bucket.
 */
@Component
class VertexFamily extends JobFamily {

	/** The global endpoint; a regional location has a host of its own. */
	private static final URI GLOBAL = URI.create("https://aiplatform.googleapis.com");

	static final ProviderDescriptor DESCRIPTOR = ProviderDescriptor.builder("vertex")
		.format(ProviderDescriptor.Format.VERTEX)
		.filesApi(false)
		.endpoints(VertexApi.CHAT)
		.build();

	VertexFamily(JobProviders providers) {
		// Vertex's OpenAI-compatible endpoint takes the same OAuth tokens, not a key, so
		// it cannot be switched to executed mode.
		super(DESCRIPTOR, GLOBAL, null, providers);
	}

	/**
	 * The settings checked at start-up: a project and a bucket are required, a key file
	 * must be readable, and a regional location gets its regional host.
	 */
	@Override
	protected ProviderProperties resolve(String name, ProviderProperties properties) {
		require(name, "project", properties.project(), "the Google Cloud project batch jobs run in");
		require(name, "gcs-bucket", properties.gcsBucket(),
				"the Cloud Storage bucket batch input and output are staged in");
		if (properties.credentialsFile() != null && !Files.isReadable(Path.of(properties.credentialsFile()))) {
			throw new IllegalStateException("ferry.providers." + name + ".credentials-file: '"
					+ properties.credentialsFile() + "' cannot be read (expected: a service account key file)");
		}
		if (GLOBAL.equals(properties.baseUrl()) && !"global".equals(properties.location())) {
			return properties
				.withBaseUrl(URI.create("https://" + properties.location() + "-aiplatform.googleapis.com"));
		}
		return properties;
	}

	@Override
	protected Mono<String> tokens(String name, ProviderProperties properties) {
		Path file = (properties.credentialsFile() != null) ? Path.of(properties.credentialsFile()) : null;
		return Mono.defer(new GoogleTokens(file, Schedulers.boundedElastic(), Clock.systemUTC())::token);
	}

	@Override
	protected JobApi wire(String name, ProviderProperties properties, JobClient client, JsonMapper mapper,
			int maxLineBytes) {
		return new VertexApi(client, mapper, maxLineBytes,
				new VertexApi.Settings(properties.project(), properties.location(), properties.gcsBucket(),
						properties.gcsPrefix(), properties.gcsEndpoint(), properties.defaultMaxTokens()));
	}

}
