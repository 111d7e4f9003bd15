package dev.ferry.results;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import tools.jackson.databind.json.JsonMapper;

import dev.ferry.batch.RandomIds;
import dev.ferry.batch.Sha256;
import dev.ferry.storage.BlobNotFoundException;
import dev.ferry.storage.BlobStore;
import dev.ferry.storage.VersionedBlob;

import org.springframework.core.io.buffer.DataBuffer;

/**
 * The result spool, shared by every replica through the blob store: each batch's results
 * are downloaded once for the whole cluster and kept as numbered segments, so a full
 * traversal in pages of any size, on any replicas, reads upstream once.
 *
 * <p>
 * The first replica that needs a batch's results takes its lease (a create-only object),
 * downloads, and writes each full segment as it fills, then a small index marking the
 * spool complete. Readers on that replica follow the download byte by byte; readers on
 * others read the segments already written and wait for the next. A holder renews its
 * lease while it downloads; if it stops (a crash, a lost replica), another takes the next
 * epoch once the lease has gone unchanged for its duration, and resumes from the last
 * complete segment. Segments are create-only, so a late former holder cannot overwrite
 * anything; they hold the same bytes anyway, since a batch's results do not change.
 *
 * <p>
 * A download that fails fails the readers following it on its replica and gives up its
 * lease; the next read starts again. Complete spools are deleted a time to live after
 * they completed, or oldest first beyond the storage budget. Memory holds one segment per
 * download and a few buffers per reader, whatever the size of the results.
 */
public final class ResultSpools implements AutoCloseable {

	private static final Log logger = LogFactory.getLog(ResultSpools.class);

	private static final String FOLDER = "spools";

	private static final String COMPLETE = ".done";

	private static final String OPEN = ".open";

	private final BlobStore store;

	private final Limits limits;

	private final Clock clock;

	private final JsonMapper mapper = JsonMapper.builder().build();

	/** This replica, as lease holders are told apart. */
	private final String owner = RandomIds.hex(8);

	private final SegmentCache segments;

	private final Map<String, SpoolDownload> downloads = new ConcurrentHashMap<>();

	/** The last lease version seen per spool, and when this replica first saw it. */
	private final Map<String, Observed> observed = new ConcurrentHashMap<>();

	private final Disposable sweeper;

	/** What complete spools took in the store at the last sweep. */
	private volatile long storedBytes;

	/**
	 * Spools in a blob store.
	 * @param store where the segments go
	 * @param limits segment size, lease, polling, time to live and budget
	 * @param clock the clock ages are measured with
	 */
	public ResultSpools(BlobStore store, Limits limits, Clock clock) {
		this.store = store;
		this.limits = limits;
		this.clock = clock;
		this.segments = new SegmentCache(store, limits.cacheBytes());
		long sweepMillis = limits.sweepInterval().toMillis();
		this.sweeper = Schedulers.boundedElastic().schedulePeriodically(() -> sweep().onErrorResume((ex) -> {
			logger.warn("Sweeping the result spools failed; retrying at the next interval", ex);
			return Mono.empty();
		}).subscribe(), sweepMillis, sweepMillis, TimeUnit.MILLISECONDS);
	}

	/**
	 * Reads a spool from a byte offset, starting its download if nobody in the cluster is
	 * downloading it.
	 * @param key what the results belong to, such as the provider and batch id
	 * @param offset where to start reading
	 * @param download starts the upstream download, called only if this replica takes the
	 * spool's lease
	 * @return the bytes from the offset to the end of the results; fails if the download
	 * this replica runs fails
	 */
	public Flux<DataBuffer> read(String key, long offset, Supplier<Flux<DataBuffer>> download) {
		String name = nameOf(key);
		// The download outlives the request that starts it, but runs with its context:
		// the caller's credentials travel in it.
		return Flux.deferContextual((context) -> from(name, offset, () -> download.get().contextWrite(context)));
	}

	/**
	 * Deletes the spools whose time is up: complete ones a time to live after they
	 * completed, then the oldest complete ones beyond the budget, and abandoned downloads
	 * (still marked open: a complete spool drops its mark) whose lease has not been
	 * renewed for a time to live.
	 * @return completion
	 */
	public Mono<Void> sweep() {
		long now = this.clock.millis();
		long ttl = this.limits.ttl().toMillis();
		return this.store.list(FOLDER).collectList().flatMap((blobs) -> sweep(blobs, now, ttl));
	}

	/** Sweeps the spools one listing of the folder found. */
	private Mono<Void> sweep(List<String> blobs, long now, long ttl) {
		Mono<Void> complete = Flux.fromIterable(blobs)
			.filter((blob) -> blob.endsWith(COMPLETE))
			.map((blob) -> blob.substring(0, blob.length() - COMPLETE.length()))
			.concatMap((name) -> index(name).map((index) -> new Kept(name, index)))
			.collectList()
			.flatMap((kept) -> {
				List<Kept> oldestFirst = kept.stream()
					.sorted(Comparator.comparingLong((Kept spool) -> spool.index().completedAt()))
					.toList();
				long total = oldestFirst.stream().mapToLong((spool) -> spool.index().length()).sum();
				List<String> evicted = new ArrayList<>();
				for (Kept spool : oldestFirst) {
					boolean expired = spool.index().completedAt() + ttl < now;
					if (expired || total > this.limits.maxBytes()) {
						total -= spool.index().length();
						evicted.add(spool.name());
					}
				}
				this.storedBytes = total;
				return Flux.fromIterable(evicted).concatMap(this::evict).then();
			});
		Mono<Void> abandoned = Flux.fromIterable(blobs)
			.filter((blob) -> blob.endsWith(OPEN))
			.map((blob) -> blob.substring(0, blob.length() - OPEN.length()))
			.filter((name) -> !this.downloads.containsKey(name))
			.concatMap((name) -> lastRenewal(name).filter((renewedAt) -> renewedAt + ttl < now)
				.flatMap((stale) -> index(name).hasElement())
				.filter((completed) -> !completed)
				.flatMap((incomplete) -> evict(name)))
			.then();
		return complete.then(abandoned);
	}

	/**
	 * The bytes complete spools took in the store at the last sweep.
	 * @return the bytes
	 */
	public long storedBytes() {
		return this.storedBytes;
	}

	@Override
	public void close() {
		this.sweeper.dispose();
		this.downloads.values().forEach(SpoolDownload::cancel);
	}

	/**
	 * The bytes from a position on, step after step: a segment from the store, this
	 * replica's download as it goes, or a wait for another replica's next segment. Steps
	 * repeat rather than nest, so a traversal of any length costs the same operators.
	 */
	private Flux<DataBuffer> from(String name, long position, Supplier<Flux<DataBuffer>> download) {
		Reading reading = new Reading(position);
		return Flux.defer(() -> step(name, reading, download))
			.doOnNext((buffer) -> reading.position += buffer.readableByteCount())
			.repeat(() -> !reading.ended);
	}

	private Flux<DataBuffer> step(String name, Reading reading, Supplier<Flux<DataBuffer>> download) {
		long position = reading.position;
		SpoolDownload local = this.downloads.get(name);
		if (local != null && position >= local.storedUpTo()) {
			return following(local, reading);
		}
		int segment = Math.toIntExact(position / this.limits.segmentBytes());
		long within = position % this.limits.segmentBytes();
		return this.segments.read(segmentKey(name, segment), within)
			.switchIfEmpty(Flux.defer(() -> endOrWait(name, reading, download)))
			.onErrorResume(BlobNotFoundException.class, (missing) -> endOrWait(name, reading, download));
	}

	/**
	 * The bytes of this replica's download from the reader's position, until the position
	 * falls into a segment already written or the download ends; the download's failure
	 * is this reader's.
	 */
	private Flux<DataBuffer> following(SpoolDownload local, Reading reading) {
		return local.follow(reading.position).doOnComplete(() -> {
			// The buffers went through the position counter before completion.
			reading.ended = local.finished() && reading.position >= local.received();
		});
	}

	/**
	 * Nothing to read at a position: the end of a complete spool, or bytes still to come,
	 * in which case somebody must be downloading them.
	 */
	private Flux<DataBuffer> endOrWait(String name, Reading reading, Supplier<Flux<DataBuffer>> download) {
		long position = reading.position;
		return index(name).flatMapMany((index) -> {
			if (position >= index.length()) {
				this.observed.remove(name);
				reading.ended = true;
				return Flux.<DataBuffer>empty();
			}
			return Flux.<DataBuffer>error(
					new IllegalStateException("the result spool " + name + " is complete but misses the bytes from "
							+ position + " of " + index.length() + "; it was evicted while being read, read again"));
		})
			.switchIfEmpty(Flux.defer(() -> (reading.ended) ? Flux.empty()
					: ensureDownloading(name, download).flatMapMany((local) -> following(local, reading))
						.switchIfEmpty(Mono.delay(this.limits.pollInterval()).then(Mono.empty()))));
	}

	/**
	 * Makes sure a replica is downloading: takes the first lease, or the next one if the
	 * current holder released it or let it expire.
	 * @return this replica's download, or empty if another replica's goes on
	 */
	private Mono<SpoolDownload> ensureDownloading(String name, Supplier<Flux<DataBuffer>> download) {
		SpoolDownload local = this.downloads.get(name);
		if (local != null) {
			return Mono.just(local);
		}
		return latestEpoch(name).flatMap(
				(epoch) -> (epoch == 0) ? this.store.create(openKey(name), now()).then(takeLease(name, 1, download))
						: this.store.get(leaseKey(name, epoch))
							.filter((found) -> holderGone(name, epoch, found))
							.flatMap((gone) -> takeLease(name, epoch + 1, download)));
	}

	/**
	 * Whether the holder of a lease released it or has not renewed it for its duration.
	 */
	private boolean holderGone(String name, long epoch, VersionedBlob found) {
		SpoolLease lease = this.mapper.readValue(found.bytes(), SpoolLease.class);
		if (lease.released()) {
			return true;
		}
		long now = System.nanoTime();
		Observed seen = this.observed.get(name);
		if (seen == null || seen.epoch() != epoch || !seen.version().equals(found.version().value())) {
			this.observed.put(name, new Observed(epoch, found.version().value(), now));
			return false;
		}
		return now - seen.since() > this.limits.leaseDuration().toNanos();
	}

	private Mono<SpoolDownload> takeLease(String name, long epoch, Supplier<Flux<DataBuffer>> download) {
		SpoolLease lease = new SpoolLease(this.owner, epoch, 0, this.clock.millis(), false);
		return this.store.create(leaseKey(name, epoch), this.mapper.writeValueAsBytes(lease)).flatMap((taken) -> {
			if (!taken.won()) {
				return Mono.empty();
			}
			return resumeAt(name).map((segment) -> {
				SpoolDownload started = new SpoolDownload(this, name, lease, taken.version(), segment);
				this.downloads.put(name, started);
				started.start(download.get());
				return started;
			});
		});
	}

	/**
	 * The segment a new holder starts writing at: the last one written, which may be a
	 * short final segment, is written again (its create loses, harmlessly).
	 */
	private Mono<Integer> resumeAt(String name) {
		return this.store.list(segmentFolder(name)).map(Integer::parseInt).reduce(Math::max).defaultIfEmpty(0);
	}

	/** The highest lease epoch taken for a spool, 0 if none. */
	private Mono<Long> latestEpoch(String name) {
		return this.store.list(leaseFolder(name)).map(Long::parseLong).reduce(0L, Math::max);
	}

	/** The lease's last renewal by its wall-clock stamp; for the sweeper only. */
	private Mono<Long> lastRenewal(String name) {
		return latestEpoch(name).filter((epoch) -> epoch > 0)
			.flatMap((epoch) -> this.store.get(leaseKey(name, epoch)))
			.map((found) -> this.mapper.readValue(found.bytes(), SpoolLease.class).renewedAt())
			.switchIfEmpty(this.store.get(openKey(name)).map((found) -> 0L));
	}

	private Mono<SpoolIndex> index(String name) {
		return this.store.get(FOLDER + "/" + name + COMPLETE)
			.map((found) -> this.mapper.readValue(found.bytes(), SpoolIndex.class));
	}

	/** Deletes a spool: its index first, so nobody takes it as complete meanwhile. */
	private Mono<Void> evict(String name) {
		return this.store.delete(FOLDER + "/" + name + COMPLETE)
			.thenMany(this.store.list(segmentFolder(name)))
			.concatMap((segment) -> this.store.delete(segmentFolder(name) + "/" + segment))
			.thenMany(this.store.list(leaseFolder(name)))
			.concatMap((lease) -> this.store.delete(leaseFolder(name) + "/" + lease))
			.then(this.store.delete(openKey(name)))
			.doOnSuccess((done) -> this.observed.remove(name));
	}

	// What a download needs of its spools.

	BlobStore store() {
		return this.store;
	}

	Limits limits() {
		return this.limits;
	}

	JsonMapper mapper() {
		return this.mapper;
	}

	long nowMillis() {
		return this.clock.millis();
	}

	byte[] indexOf(long length) {
		return this.mapper.writeValueAsBytes(new SpoolIndex(length, this.limits.segmentBytes(), this.clock.millis()));
	}

	void ended(SpoolDownload download) {
		this.downloads.remove(download.name(), download);
	}

	static String segmentKey(String name, int segment) {
		return segmentFolder(name) + "/" + String.format("%010d", segment);
	}

	static String indexKey(String name) {
		return FOLDER + "/" + name + COMPLETE;
	}

	static String leaseKey(String name, long epoch) {
		return leaseFolder(name) + "/" + String.format("%010d", epoch);
	}

	private static String segmentFolder(String name) {
		return FOLDER + "/" + name + "/segments";
	}

	private static String leaseFolder(String name) {
		return FOLDER + "/" + name + "/leases";
	}

	/** Marks a spool whose download started, until it completes or is swept. */
	static String openKey(String name) {
		return FOLDER + "/" + name + OPEN;
	}

	private byte[] now() {
		return Long.toString(this.clock.millis()).getBytes(StandardCharsets.US_ASCII);
	}

	private static String nameOf(String key) {
		return HexFormat.of().formatHex(Sha256.digest(key.getBytes(StandardCharsets.UTF_8)), 0, 16);
	}

	/**
	 * The spools' limits.
	 *
	 * @param segmentBytes the size of a segment: memory per download, and the unit a
	 * reader on another replica waits for
	 * @param leaseDuration how long a lease may go unrenewed before another replica takes
	 * the download over
	 * @param pollInterval how often a reader waiting for another replica's segment looks
	 * @param ttl how long a complete spool is kept
	 * @param maxBytes the storage budget of all complete spools
	 * @param sweepInterval how often expired spools are looked for
	 * @param idleTimeout how long a download may go without a byte before it fails
	 * @param cacheBytes the memory this replica keeps the segments it read lately in; 0
	 * reads every page from the store
	 */
	public record Limits(int segmentBytes, Duration leaseDuration, Duration pollInterval, Duration ttl, long maxBytes,
			Duration sweepInterval, Duration idleTimeout, long cacheBytes) {
	}

	/** Where one reader is, and whether it has read the whole spool. */
	private static final class Reading {

		long position;

		boolean ended;

		Reading(long position) {
			this.position = position;
		}

	}

	/** A complete spool, as a sweep found it. */
	private record Kept(String name, SpoolIndex index) {
	}

	/** A lease version and the moment, on this replica's monotonic clock, it was seen. */
	private record Observed(long epoch, String version, long since) {
	}

}
