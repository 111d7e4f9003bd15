package dev.ferry.idempotency;

import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import tools.jackson.databind.json.JsonMapper;

import dev.ferry.storage.BlobNotFoundException;
import dev.ferry.storage.BlobStore;

import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;

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
	 * exists.
	 * @param scope the hashed key, unique per caller
	 * @param started the record to write
	 * @return empty when the claim succeeded, else the record found
	 */
	Mono<Optional<IdempotencyRecord>> claim(String scope, IdempotencyRecord started) {
		return claim(scope, started, true);
	}

	private Mono<Optional<IdempotencyRecord>> claim(String scope, IdempotencyRecord started, boolean firstTry) {
		return this.blobs.writeIfAbsent(key(scope), this.mapper.writeValueAsBytes(started)).flatMap((claimed) -> {
			if (claimed) {
				return Mono.just(Optional.<IdempotencyRecord>empty());
			}
			return read(scope).flatMap((found) -> {
				if (found.isPresent() && !found.get().isExpired(this.clock.instant(), this.ttl)) {
					return Mono.just(found);
				}
				// Expired or vanished between the two steps: claim again, once.
				return firstTry ? forget(scope).then(claim(scope, started, false)) : Mono.just(found);
			});
		});
	}

	/**
	 * Replaces a key's record, once its request has an outcome.
	 * @param scope the hashed key
	 * @param record the record
	 * @return completion
	 */
	Mono<Void> save(String scope, IdempotencyRecord record) {
		byte[] bytes = this.mapper.writeValueAsBytes(record);
		return this.blobs.write(key(scope), Flux.just(DefaultDataBufferFactory.sharedInstance.wrap(bytes))).then();
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

	private static String key(String scope) {
		return FOLDER + "/" + scope + ".json";
	}

	@Override
	public void close() {
		this.sweeper.dispose();
	}

}
