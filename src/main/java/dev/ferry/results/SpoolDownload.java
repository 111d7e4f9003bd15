package dev.ferry.results;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import reactor.core.Disposable;
import reactor.core.Disposables;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

import dev.ferry.storage.BlobVersion;
import dev.ferry.storage.ConditionalWrite;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;

/**
 * One replica's download of a spool, under its lease: fills a segment in memory, writes
 * it to the store when full, and lets this replica's readers follow the bytes as they
 * arrive.
 */
final class SpoolDownload {

	private static final Log logger = LogFactory.getLog(SpoolDownload.class);

	private static final Duration RELEASE_WAIT = Duration.ofSeconds(5);

	private static final int FOLLOW_SLICE = 64 * 1024;

	/** Marks where a reader has fallen behind into a written segment. */
	private static final DataBuffer ENDED = DefaultDataBufferFactory.sharedInstance.allocateBuffer(0);

	private final ResultSpools spools;

	private final String name;

	private final int segmentBytes;

	private final Sinks.Many<Long> progress = Sinks.many().replay().latest();

	private volatile SpoolLease lease;

	private volatile BlobVersion leaseVersion;

	/** The segment being filled; a new array for each, so a reader's view is stable. */
	private byte[] current;

	private int fill;

	private int segment;

	/** The bytes before the current segment: all of them are in the store. */
	private volatile long segmentStart;

	private volatile boolean finished;

	private volatile Disposable subscription = Disposables.never();

	private volatile Disposable renewals = Disposables.never();

	SpoolDownload(ResultSpools spools, String name, SpoolLease lease, BlobVersion leaseVersion, int firstSegment) {
		this.spools = spools;
		this.name = name;
		this.lease = lease;
		this.leaseVersion = leaseVersion;
		this.segmentBytes = spools.limits().segmentBytes();
		this.current = new byte[this.segmentBytes];
		this.segment = firstSegment;
		this.segmentStart = (long) firstSegment * this.segmentBytes;
		this.progress.tryEmitNext(this.segmentStart);
	}

	String name() {
		return this.name;
	}

	/** The bytes this replica need not read from the store: those not yet in it. */
	long storedUpTo() {
		return this.segmentStart;
	}

	synchronized long received() {
		return this.segmentStart + this.fill;
	}

	boolean finished() {
		return this.finished;
	}

	void start(Flux<DataBuffer> upstream) {
		ResultSpools.Limits limits = this.spools.limits();
		this.subscription = skip(upstream.timeout(limits.idleTimeout()), this.segmentStart).concatMap(this::absorb, 1)
			.then(Mono.defer(this::finish))
			.subscribe(null, this::fail);
		Duration every = limits.leaseDuration().dividedBy(3);
		this.renewals = Flux.interval(every, every).concatMap((tick) -> renew()).subscribe(null, this::fail);
	}

	/**
	 * The bytes from a position in the current segment on, as they arrive; completes when
	 * the position falls into a segment already written (read it from the store), when
	 * the download ends, or when it loses its lease.
	 *
	 * <p>
	 * The bytes are views of the segment, not copies: a segment's bytes never change once
	 * received, and a full segment is replaced by a new array. Views are at most
	 * {@value #FOLLOW_SLICE} bytes, so a reader far behind the download takes what it
	 * needs a slice at a time.
	 */
	Flux<DataBuffer> follow(long start) {
		long[] position = { start };
		return this.progress.asFlux().onBackpressureLatest().<DataBuffer>concatMapIterable((tick) -> {
			synchronized (this) {
				if (position[0] < this.segmentStart) {
					return List.of(ENDED);
				}
				List<DataBuffer> slices = new ArrayList<>(1);
				int from = (int) (position[0] - this.segmentStart);
				for (; from < this.fill; from += FOLLOW_SLICE) {
					int length = Math.min(FOLLOW_SLICE, this.fill - from);
					slices.add(DefaultDataBufferFactory.sharedInstance
						.wrap(ByteBuffer.wrap(this.current, from, length).slice()));
					position[0] += length;
				}
				return slices;
			}
		}, 1).takeWhile((slice) -> slice != ENDED).onErrorResume(LeaseLost.class, (lost) -> Flux.empty());
	}

	void cancel() {
		this.subscription.dispose();
		this.renewals.dispose();
		this.spools.ended(this);
		// Shutting down: hand the download over at once rather than after the lease.
		release().block(RELEASE_WAIT);
		this.progress.tryEmitError(new LeaseLost("this replica is shutting down"));
	}

	/** Copies a buffer into the current segment, writing each segment it fills. */
	private Mono<Void> absorb(DataBuffer buffer) {
		return Mono.defer(() -> {
			boolean full;
			synchronized (this) {
				int length = Math.min(buffer.readableByteCount(), this.segmentBytes - this.fill);
				buffer.read(this.current, this.fill, length);
				this.fill += length;
				full = this.fill == this.segmentBytes;
			}
			this.progress.tryEmitNext(received());
			if (full) {
				return flush().then(absorb(buffer));
			}
			DataBufferUtils.release(buffer);
			return Mono.empty();
		}).doOnDiscard(DataBuffer.class, DataBufferUtils::release);
	}

	private Mono<Void> flush() {
		byte[] full = this.current;
		return this.spools.store()
			.create(ResultSpools.segmentKey(this.name, this.segment), full)
			.doOnNext((written) -> {
				synchronized (this) {
					this.segment++;
					this.segmentStart += this.segmentBytes;
					this.current = new byte[this.segmentBytes];
					this.fill = 0;
				}
				this.progress.tryEmitNext(received());
			})
			.then();
	}

	private Mono<Void> finish() {
		long length;
		byte[] last;
		synchronized (this) {
			length = this.segmentStart + this.fill;
			last = Arrays.copyOf(this.current, this.fill);
		}
		Mono<ConditionalWrite> lastSegment = (last.length > 0)
				? this.spools.store().create(ResultSpools.segmentKey(this.name, this.segment), last) : Mono.empty();
		return lastSegment
			.then(this.spools.store().create(ResultSpools.indexKey(this.name), this.spools.indexOf(length)))
			// Complete: no longer a download the sweeper may have to clear away.
			.flatMap((indexed) -> this.spools.store().delete(ResultSpools.openKey(this.name)).thenReturn(indexed))
			.doOnNext((indexed) -> {
				this.finished = true;
				this.renewals.dispose();
				this.spools.ended(this);
				this.progress.tryEmitComplete();
			})
			.then();
	}

	private void fail(Throwable error) {
		this.subscription.dispose();
		this.renewals.dispose();
		this.spools.ended(this);
		if (error instanceof LeaseLost) {
			logger.info("Result spool " + this.name + ": " + error.getMessage() + "; another replica goes on");
			this.progress.tryEmitError(error);
			return;
		}
		release().subscribe(null, (ex) -> logger.warn("Could not release the lease of result spool " + this.name, ex));
		this.progress.tryEmitError(error);
	}

	/**
	 * Renews the lease, unless somebody has taken the next epoch: then this replica was
	 * taken for gone, and stops.
	 */
	private Mono<Void> renew() {
		SpoolLease held = this.lease;
		return this.spools.store()
			.get(ResultSpools.leaseKey(this.name, held.epoch() + 1))
			.flatMap((taken) -> Mono.<Void>error(new LeaseLost("epoch " + (held.epoch() + 1) + " was taken over")))
			.then(Mono.defer(() -> {
				SpoolLease renewed = held.renewed(this.spools.nowMillis());
				return this.spools.store()
					.replace(ResultSpools.leaseKey(this.name, held.epoch()),
							this.spools.mapper().writeValueAsBytes(renewed), this.leaseVersion)
					.flatMap((written) -> {
						if (!written.won()) {
							return Mono.error(new LeaseLost("the lease changed under its holder"));
						}
						this.lease = renewed;
						this.leaseVersion = written.version();
						return Mono.empty();
					});
			}));
	}

	private Mono<Void> release() {
		SpoolLease held = this.lease;
		return this.spools.store()
			.replace(ResultSpools.leaseKey(this.name, held.epoch()),
					this.spools.mapper().writeValueAsBytes(held.release(this.spools.nowMillis())), this.leaseVersion)
			.then()
			.onErrorResume((ex) -> Mono.empty());
	}

	/** Drops the bytes a previous holder already wrote as segments. */
	private static Flux<DataBuffer> skip(Flux<DataBuffer> upstream, long bytes) {
		long[] left = { bytes };
		return upstream.handle((buffer, sink) -> {
			int readable = buffer.readableByteCount();
			if (left[0] == 0) {
				sink.next(buffer);
			}
			else if (readable <= left[0]) {
				left[0] -= readable;
				DataBufferUtils.release(buffer);
			}
			else {
				buffer.readPosition(buffer.readPosition() + (int) left[0]);
				left[0] = 0;
				sink.next(buffer);
			}
		});
	}

	/** This replica no longer holds the lease: its readers go on from the store. */
	static final class LeaseLost extends RuntimeException {

		LeaseLost(String message) {
			super(message, null, false, false);
		}

	}

}
