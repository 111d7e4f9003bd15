package dev.ferry.provider.jobs;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

import dev.ferry.storage.BlobStore;

import org.springframework.core.io.buffer.DefaultDataBufferFactory;

/**
 * What Ferry keeps, in the blob store, about each job it creates on a job-style provider:
 * what the canonical batch shows and the provider's job does not carry (the caller's
 * input file, endpoint, window and metadata), and an index by creation time for providers
 * that cannot list their jobs.
 */
final class JobRecords {

	private final BlobStore blobs;

	private final JsonMapper mapper;

	JobRecords(BlobStore blobs, JsonMapper mapper) {
		this.blobs = blobs;
		this.mapper = mapper;
	}

	Mono<Void> save(String provider, String jobId, JobRecord record) {
		byte[] bytes = this.mapper.writeValueAsBytes(record);
		return this.blobs.write(key(provider, jobId), Flux.just(DefaultDataBufferFactory.sharedInstance.wrap(bytes)))
			.then(this.blobs.write(orderKey(provider, record.createdAt(), jobId), Flux.empty()))
			.then();
	}

	/**
	 * What was kept for a job.
	 * @param provider the provider name
	 * @param jobId the native id
	 * @return the record, or an empty optional for a job Ferry did not create
	 */
	Mono<Optional<JobRecord>> find(String provider, String jobId) {
		return this.blobs.get(key(provider, jobId))
			.map((found) -> Optional.of(this.mapper.readValue(found.bytes(), JobRecord.class)))
			.defaultIfEmpty(Optional.empty());
	}

	/**
	 * The jobs Ferry created on a provider, newest first. Only their names are sorted in
	 * memory.
	 * @param provider the provider name
	 * @return native job ids
	 */
	Flux<String> newestFirst(String provider) {
		String folder = "held/" + provider + "/job-order";
		return this.blobs.list(folder)
			.sort((a, b) -> b.compareTo(a))
			.map((name) -> name.substring(name.indexOf('-') + 1));
	}

	/**
	 * Notes when Ferry asked the provider to cancel a job, for providers whose job does
	 * not say; the first request's time is kept.
	 * @param provider the provider name
	 * @param jobId the native id
	 * @param at the time, in Unix seconds
	 * @return completion
	 */
	Mono<Void> cancelRequested(String provider, String jobId, long at) {
		return this.blobs.create(cancelKey(provider, jobId), Long.toString(at).getBytes(StandardCharsets.US_ASCII))
			.then();
	}

	/**
	 * When Ferry first asked the provider to cancel a job.
	 * @param provider the provider name
	 * @param jobId the native id
	 * @return the time in Unix seconds, or empty if it never did
	 */
	Mono<Long> cancelRequestedAt(String provider, String jobId) {
		return this.blobs.get(cancelKey(provider, jobId))
			.map((found) -> Long.parseLong(new String(found.bytes(), StandardCharsets.US_ASCII)));
	}

	private static String cancelKey(String provider, String jobId) {
		return "held/" + provider + "/job-cancels/" + jobId;
	}

	private static String key(String provider, String jobId) {
		return "held/" + provider + "/jobs/" + jobId + ".json";
	}

	private static String orderKey(String provider, long createdAtMillis, String jobId) {
		return "held/" + provider + "/job-order/" + String.format("%013d", createdAtMillis) + "-" + jobId;
	}

	/**
	 * A kept job.
	 *
	 * @param endpoint the endpoint the caller's requests target
	 * @param model the batch's model
	 * @param inputFileId the caller's input file, as callers see it
	 * @param completionWindow the window the caller asked for
	 * @param metadata the caller's metadata
	 * @param createdAt when Ferry created the job, in Unix milliseconds
	 * @param requests how many requests the job was given
	 */
	record JobRecord(String endpoint, String model, @Nullable String inputFileId, String completionWindow,
			@Nullable Map<String, String> metadata, long createdAt, long requests) {
	}

}
