package dev.ferry.provider.executed;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

import dev.ferry.storage.BlobStore;
import dev.ferry.storage.ConditionalWrite;
import dev.ferry.storage.VersionedBlob;

import org.springframework.core.io.buffer.DataBuffer;

/**
 * Where a batch Ferry runs lives in the blob store, so that every replica sees the same
 * batch. Under {@code executed/<provider>/}:
 * <ul>
 * <li>{@code batches/<id>.json}: the plan, written once at create;</li>
 * <li>{@code open/<id>}: an index of the batches that still have chunks to run;</li>
 * <li>{@code <id>/leases/<chunk>}: who runs a chunk, renewed by compare-and-swap;</li>
 * <li>{@code <id>/results/<chunk>}: the chunk's result lines, written whole and only once
 * (create-only), so a chunk run twice is committed once;</li>
 * <li>{@code <id>/counts/<chunk>}: the counts of a committed chunk;</li>
 * <li>{@code <id>/cancel}, {@code <id>/expired}, {@code <id>/ended}, {@code <id>/failed}:
 * when a cancel was asked for, when the batch ran out of time, when a runner closed it,
 * and when its input file was found gone;</li>
 * <li>{@code runners/<replica>}: each replica's heartbeat, to share the provider's limits
 * among the replicas alive.</li>
 * </ul>
 */
final class ExecutedStore {

	/**
	 * The ids {@link ExecutedProvider} mints: creation time, a sequence, a random part.
	 */
	static final java.util.regex.Pattern BATCH_ID = java.util.regex.Pattern
		.compile("exec-[0-9a-f]{12}-[0-9a-f]{4}-[0-9a-f]{8}");

	private static final java.util.regex.Pattern CHUNK = java.util.regex.Pattern.compile("[0-9]{1,9}");

	/** A replica's identity: twelve random bytes in hex. */
	private static final java.util.regex.Pattern RUNNER = java.util.regex.Pattern.compile("[0-9a-f]{24}");

	private final BlobStore blobs;

	private final JsonMapper mapper;

	ExecutedStore(BlobStore blobs, JsonMapper mapper) {
		this.blobs = blobs;
		this.mapper = mapper;
	}

	Mono<Void> create(String provider, Plan plan) {
		return this.blobs.create(planKey(provider, plan.id()), this.mapper.writeValueAsBytes(plan))
			.then(this.blobs.create(base(provider) + "open/" + plan.id(), new byte[0]))
			.then();
	}

	Mono<Plan> plan(String provider, String id) {
		return this.blobs.get(planKey(provider, id)).map((found) -> this.mapper.readValue(found.bytes(), Plan.class));
	}

	/** Every batch of the provider, newest first (ids sort by creation). */
	Flux<String> batches(String provider) {
		return names(base(provider) + "batches").filter((name) -> name.endsWith(".json"))
			.map((name) -> name.substring(0, name.length() - ".json".length()))
			.filter((id) -> BATCH_ID.matcher(id).matches())
			.sort((a, b) -> b.compareTo(a));
	}

	Flux<String> open(String provider) {
		return names(base(provider) + "open").filter((name) -> BATCH_ID.matcher(name).matches());
	}

	Mono<Void> close(String provider, String id) {
		return this.blobs.delete(base(provider) + "open/" + id);
	}

	/**
	 * The chunks that have been committed, by number. Only whole numbers count: a store
	 * may list the temporary object of a write under way (s3proxy does).
	 */
	Flux<Integer> committed(String provider, String id) {
		return names(base(provider) + id + "/results").filter((name) -> CHUNK.matcher(name).matches())
			.map(Integer::parseInt);
	}

	/**
	 * Commits a chunk's results, whole; the first commit wins.
	 * @return true if this commit is the one kept
	 */
	Mono<Boolean> commit(String provider, String id, int chunk, byte[] lines, Counts counts) {
		return this.blobs.create(base(provider) + id + "/results/" + chunk, lines)
			.flatMap((outcome) -> outcome.won()
					? this.blobs.create(countsKey(provider, id, chunk), this.mapper.writeValueAsBytes(counts))
						.thenReturn(true)
					: Mono.just(false));
	}

	/**
	 * A committed chunk's counts; read from its results if the counts were never written
	 * (a crash between the two writes).
	 */
	Mono<Counts> counts(String provider, String id, int chunk) {
		return this.blobs.get(countsKey(provider, id, chunk))
			.map((found) -> this.mapper.readValue(found.bytes(), Counts.class))
			.switchIfEmpty(Mono.defer(() -> this.blobs.get(base(provider) + id + "/results/" + chunk)
				.map((found) -> Counts.of(this.mapper, found.bytes()))));
	}

	Flux<DataBuffer> results(String provider, String id, int chunk) {
		return this.blobs.read(base(provider) + id + "/results/" + chunk);
	}

	Mono<@Nullable VersionedBlob> lease(String provider, String id, int chunk) {
		return this.blobs.get(leaseKey(provider, id, chunk));
	}

	/** Whether any chunk of the batch has been claimed. */
	Mono<Boolean> leased(String provider, String id) {
		return names(base(provider) + id + "/leases").hasElements();
	}

	Mono<ConditionalWrite> claim(String provider, String id, int chunk, Lease lease) {
		return this.blobs.create(leaseKey(provider, id, chunk), this.mapper.writeValueAsBytes(lease));
	}

	Mono<ConditionalWrite> renew(String provider, String id, int chunk, Lease lease, VersionedBlob current) {
		return this.blobs.replace(leaseKey(provider, id, chunk), this.mapper.writeValueAsBytes(lease),
				current.version());
	}

	Lease readLease(VersionedBlob blob) {
		return this.mapper.readValue(blob.bytes(), Lease.class);
	}

	Mono<Void> mark(String provider, String id, String marker, long at) {
		return this.blobs
			.create(base(provider) + id + "/" + marker, Long.toString(at).getBytes(StandardCharsets.US_ASCII))
			.then();
	}

	Mono<Long> marked(String provider, String id, String marker) {
		return this.blobs.get(base(provider) + id + "/" + marker)
			.map((found) -> Long.parseLong(new String(found.bytes(), StandardCharsets.US_ASCII)));
	}

	/** Writes this replica's heartbeat: a number that changes with every beat. */
	Mono<Void> beat(String provider, String owner, long beat) {
		byte[] bytes = Long.toString(beat).getBytes(StandardCharsets.US_ASCII);
		return this.blobs
			.write(base(provider) + "runners/" + owner,
					Flux.just(org.springframework.core.io.buffer.DefaultDataBufferFactory.sharedInstance.wrap(bytes)))
			.then();
	}

	/** Every replica's latest heartbeat. */
	Flux<Runner> runners(String provider) {
		return names(base(provider) + "runners").filter((name) -> RUNNER.matcher(name).matches())
			.concatMap((owner) -> this.blobs.get(base(provider) + "runners/" + owner)
				.map((found) -> new Runner(owner, found.version())));
	}

	/** Deletes the heartbeat of a replica that has gone. */
	Mono<Void> forget(String provider, String owner) {
		return this.blobs.delete(base(provider) + "runners/" + owner);
	}

	/**
	 * Deletes a batch's plan and everything of its run: results, counts, leases and
	 * markers.
	 */
	Mono<Void> delete(String provider, String id) {
		String batch = base(provider) + id + "/";
		return Flux.just("results", "counts", "leases")
			.concatMap((folder) -> names(batch + folder)
				.concatMap((name) -> this.blobs.delete(batch + folder + "/" + name)))
			.thenMany(Flux.just("cancel", "expired", "ended", "failed")
				.concatMap((marker) -> this.blobs.delete(batch + marker)))
			.then(this.blobs.delete(base(provider) + "open/" + id))
			.then(this.blobs.delete(planKey(provider, id)));
	}

	private Flux<String> names(String folder) {
		return this.blobs.list(folder);
	}

	private static String base(String provider) {
		return "executed/" + provider + "/";
	}

	private static String planKey(String provider, String id) {
		return base(provider) + "batches/" + id + ".json";
	}

	private static String leaseKey(String provider, String id, int chunk) {
		return base(provider) + id + "/leases/" + chunk;
	}

	private static String countsKey(String provider, String id, int chunk) {
		return base(provider) + id + "/counts/" + chunk;
	}

	/**
	 * A batch's plan.
	 *
	 * @param id the native batch id
	 * @param endpoint the endpoint every line targets
	 * @param model the batch's model, for lines that name none
	 * @param inputFileId the held input file's native id
	 * @param completionWindow the window asked for
	 * @param metadata the caller's metadata
	 * @param createdAt when it was created, in Unix seconds
	 * @param deadline when it expires, in Unix seconds
	 * @param lines how many requests it has
	 * @param offsets the byte offset in the input file where each chunk starts
	 * @param chunkSize the lines per chunk
	 */
	record Plan(String id, String endpoint, @Nullable String model, String inputFileId, String completionWindow,
			@Nullable Map<String, String> metadata, long createdAt, long deadline, long lines, List<Long> offsets,
			int chunkSize) {

		int chunks() {
			return this.offsets.size();
		}

		/** The lines of one chunk. */
		long linesOf(int chunk) {
			return Math.min(this.chunkSize, this.lines - (long) chunk * this.chunkSize);
		}

	}

	/** A replica's heartbeat, as last written. */
	record Runner(String owner, dev.ferry.storage.BlobVersion version) {
	}

	/**
	 * A claim on a chunk.
	 *
	 * @param owner the replica's nonce
	 * @param epoch raised by each takeover, so the claims of one chunk never repeat
	 * @param renewals raised by each renewal, so the lease's bytes change every time
	 */
	record Lease(String owner, long epoch, long renewals) {
	}

	/**
	 * A committed chunk's counts.
	 *
	 * @param succeeded lines with a 2xx response
	 * @param failed lines with an error answer or that failed after retries
	 * @param cancelled lines never sent because the batch was cancelled
	 * @param expired lines never sent because the batch ran out of time
	 */
	record Counts(long succeeded, long failed, long cancelled, long expired) {

		static final Counts NONE = new Counts(0, 0, 0, 0);

		Counts plus(Counts other) {
			return new Counts(this.succeeded + other.succeeded, this.failed + other.failed,
					this.cancelled + other.cancelled, this.expired + other.expired);
		}

		long total() {
			return this.succeeded + this.failed + this.cancelled + this.expired;
		}

		static Counts of(JsonMapper mapper, byte[] jsonl) {
			Counts counts = NONE;
			for (String line : new String(jsonl, StandardCharsets.UTF_8).split("\n")) {
				if (!line.isBlank()) {
					counts = counts.plus(ofLine(mapper.readTree(line)));
				}
			}
			return counts;
		}

		static Counts ofLine(tools.jackson.databind.JsonNode line) {
			String code = line.path("error").path("code").asString("");
			if (code.equals("batch_cancelled")) {
				return new Counts(0, 0, 1, 0);
			}
			if (code.equals("batch_expired")) {
				return new Counts(0, 0, 0, 1);
			}
			int status = line.path("response").path("status_code").asInt(0);
			return (status >= 200 && status < 300) ? new Counts(1, 0, 0, 0) : new Counts(0, 1, 0, 0);
		}

	}

}
