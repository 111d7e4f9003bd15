package dev.ferry.idempotency;

import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import tools.jackson.databind.json.JsonMapper;

import dev.ferry.storage.BlobNotFoundException;
import dev.ferry.storage.BlobStore;
import dev.ferry.storage.BlobVersion;

import org.springframework.core.io.buffer.DataBufferUtils;

/**
 * Idempotency records in the blob store, one small JSON blob per key, so they outlive a
 * restart and are seen by every replica that shares the store. Expired records are swept
 * periodically.
 */
final class IdempotencyRecords implements AutoCloseable {

	private static final Log logger = LogFactory.getLog(IdempotencyRecords.class);

	private static final String FOLDER = "idempotency";

	/** A record is a few kilobytes: the batch object answered. */
	private static final int MAX_RECORD_BYTES = 1024 * 1024;

	private final BlobStore blobs;

	private final JsonMapper mapper;

	private final Duration ttl;

	private final Clock clock;

	private final Disposable sweeper;

	IdempotencyRecords(BlobStore blobs, JsonMapper mapper, Duration ttl, Duration sweepInterval, Clock clock) {
		this.blobs = blobs;
		this.mapper = mapper;
		this.ttl = ttl;
		this.clock = clock;
		long sweepMillis = sweepInterval.toMillis();
		this.sweeper = Schedulers.boundedElastic().schedulePeriodically(() -> sweep().onErrorResume((ex) -> {
			logger.warn("Sweeping idempotency records failed; retrying at the next interval", ex);
			return Mono.empty();
		}).subscribe(), sweepMillis, sweepMillis, TimeUnit.MILLISECONDS);
	}

	/**
	 * Claims a key for a request about to run: records it as started unless a live record
	 * exists. The claim is a create-only write, so of several replicas racing for a new
	 * key exactly one wins; an expired record is taken over by a compare-and-swap on the
	 * version read.
	 * @param scope the hashed key, unique per caller
	 * @param started the record to write
	 * @return the claim, or the live record found
	 */
	Mono<Claim> claim(String scope, IdempotencyRecord started) {
		byte[] bytes = this.mapper.writeValueAsBytes(started);
		return this.blobs.create(key(scope), bytes).flatMap((created) -> {
			if (created.won()) {
				return Mono.just(Claim.won(created.version()));
			}
			return this.blobs.get(key(scope)).flatMap((found) -> {
				IdempotencyRecord record = this.mapper.readValue(found.bytes(), IdempotencyRecord.class);
				if (!record.isExpired(this.clock.instant(), this.ttl)) {
					return Mono.just(Claim.found(record));
				}
				return this.blobs.replace(key(scope), bytes, found.version())
					.flatMap((replaced) -> replaced.won() ? Mono.just(Claim.won(replaced.version()))
							: claimOnce(scope, bytes));
			}).switchIfEmpty(Mono.defer(() -> claimOnce(scope, bytes)));
		});
	}

	/** The record changed or vanished under us: one more create decides. */
	private Mono<Claim> claimOnce(String scope, byte[] bytes) {
		return this.blobs.create(key(scope), bytes)
			.flatMap((created) -> created.won() ? Mono.just(Claim.won(created.version()))
					: read(scope).map((found) -> found.map(Claim::found).orElseGet(Claim::vanished)));
	}

	/**
	 * Replaces a key's record, once its request has an outcome, if the record is still
	 * the one this request claimed.
	 * @param scope the hashed key
	 * @param record the record
	 * @param claimed the version of the claim
	 * @return completion
	 */
	Mono<Void> save(String scope, IdempotencyRecord record, BlobVersion claimed) {
		return this.blobs.replace(key(scope), this.mapper.writeValueAsBytes(record), claimed).doOnNext((saved) -> {
			if (!saved.won()) {
				logger.warn("The idempotency record " + scope + " was taken over before its outcome was saved");
			}
		}).then();
	}

	/**
	 * Forgets a key, when its request certainly created nothing and may be sent again.
	 * @param scope the hashed key
	 * @return completion
	 */
	Mono<Void> forget(String scope) {
		return this.blobs.delete(key(scope)).then();
	}

	/**
	 * Deletes the records whose time is up.
	 * @return how many were deleted
	 */
	Mono<Long> sweep() {
		return this.blobs.list(FOLDER)
			.filter((name) -> name.endsWith(".json"))
			.map((name) -> name.substring(0, name.length() - ".json".length()))
			.concatMap((scope) -> read(scope)
				.filter((found) -> found.isPresent() && found.get().isExpired(this.clock.instant(), this.ttl))
				.flatMap((expired) -> forget(scope).thenReturn(scope)))
			.count();
	}

	private Mono<Optional<IdempotencyRecord>> read(String scope) {
		return DataBufferUtils.join(this.blobs.read(key(scope)), MAX_RECORD_BYTES).map((buffer) -> {
			byte[] bytes = new byte[buffer.readableByteCount()];
			buffer.read(bytes);
			DataBufferUtils.release(buffer);
			return Optional.of(this.mapper.readValue(bytes, IdempotencyRecord.class));
		}).onErrorResume(BlobNotFoundException.class, (ex) -> Mono.just(Optional.empty()));
	}

	/**
	 * A claim on a key: won, with the version written, or lost to the live record found.
	 *
	 * @param version the version written, when won
	 * @param found the record found, when lost
	 */
	record Claim(@Nullable BlobVersion version, @Nullable IdempotencyRecord found) {

		static Claim won(@Nullable BlobVersion version) {
			return new Claim(version, null);
		}

		static Claim found(IdempotencyRecord record) {
			return new Claim(null, record);
		}

		/** Deleted between two steps by its owner: nothing to replay, nothing claimed. */
		static Claim vanished() {
			return new Claim(null, null);
		}

		boolean won() {
			return this.version != null;
		}

	}

	private static String key(String scope) {
		return FOLDER + "/" + scope + ".json";
	}

	@Override
	public void close() {
		this.sweeper.dispose();
	}

}
