package dev.ferry.provider.jobs;

import java.time.Clock;
import java.util.function.BiFunction;

import tools.jackson.databind.json.JsonMapper;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

import dev.ferry.batch.BatchProvider;
import dev.ferry.batch.ExecutedMode;
import dev.ferry.batch.ProviderDescriptor;
import dev.ferry.batch.SyncUpstream;
import dev.ferry.config.FerryProperties;
import dev.ferry.config.ProviderProperties;
import dev.ferry.files.HeldFiles;
import dev.ferry.files.InputLines;
import dev.ferry.storage.BlobStore;
import dev.ferry.upstream.UpstreamClients;

import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.client.WebClient;

/**
 * Makes job-style providers: each with its own pooled client, held files and job records
 * in the shared blob store, and the wire its family gives.
 */
@Component
public class JobProviders {

	private final WebClient.Builder builder;

	private final JsonMapper mapper;

	private final BlobStore blobs;

	private final int maxLineBytes;

	private final ExecutedMode executedMode;

	JobProviders(WebClient.Builder builder, JsonMapper mapper, BlobStore blobs, FerryProperties properties,
			ExecutedMode executedMode) {
		this.executedMode = executedMode;
		this.builder = builder;
		this.mapper = mapper;
		this.blobs = blobs;
		this.maxLineBytes = (int) properties.files().maxLineSize().toBytes();
	}

	/**
	 * Creates one provider.
	 * @param name the configured name
	 * @param properties its configuration, with its base URL resolved
	 * @param auth how the provider takes its key
	 * @param tokens access tokens to send instead of a configured key, or {@code null}
	 * @param wire makes the family's wire from the provider's client and the JSON mapper
	 * @param smallBatches the synchronous API that batches below the provider's minimum
	 * are run against, or {@code null} where they are refused
	 * @return the provider
	 */
	public BatchProvider create(String name, ProviderProperties properties, ProviderDescriptor.Auth auth,
			@Nullable Mono<String> tokens, BiFunction<JobClient, JsonMapper, JobApi> wire,
			@Nullable SyncUpstream smallBatches) {
		JobClient client = new JobClient(name, UpstreamClients.create(name, properties, this.builder), properties, auth,
				this.mapper, tokens);
		JobApi api = wire.apply(client, this.mapper);
		BatchProvider small = (smallBatches != null)
				? this.executedMode.create(name, api.descriptor(), properties, smallBatches) : null;
		return new JobProvider(name, api,
				new HeldFiles(name, this.blobs, this.mapper, this.maxLineBytes, Clock.systemUTC()),
				new JobRecords(this.blobs, this.mapper), new InputLines(name, this.mapper, this.maxLineBytes),
				this.mapper, Clock.systemUTC(), small);
	}

	/**
	 * The longest JSONL line Ferry reads, for wires that frame result files.
	 * @return the limit in bytes
	 */
	public int maxLineBytes() {
		return this.maxLineBytes;
	}

}
