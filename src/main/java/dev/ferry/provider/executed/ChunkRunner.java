package dev.ferry.provider.executed;

import java.io.ByteArrayOutputStream;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import reactor.core.Disposable;
import reactor.core.Disposables;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import dev.ferry.batch.ApiError;
import dev.ferry.batch.ProviderRegistry;
import dev.ferry.batch.RandomIds;
import dev.ferry.files.InputLines;
import dev.ferry.files.InputRequest;
import dev.ferry.provider.executed.ExecutedStore.Counts;
import dev.ferry.provider.executed.ExecutedStore.Lease;
import dev.ferry.provider.executed.ExecutedStore.Plan;
import dev.ferry.results.JsonLine;
import dev.ferry.results.JsonLines;
import dev.ferry.storage.BlobVersion;
import dev.ferry.storage.VersionedBlob;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * Runs the batches of every executed provider, on every replica. Each provider has one
 * worker loop per replica: it looks for a chunk no one runs (its lease absent, or
 * unchanged for longer than the lease duration since this replica first saw it), claims
 * it with a create-only or compare-and-swap write, sends its lines with at most the
 * provider's {@code max-concurrency} in flight, renews the lease while it works, and
 * commits the chunk's results whole with a create-only write, so a chunk that two
 * replicas ran is committed once. Open batches take turns, so a large batch does not hold
 * up a small one. A cancel or the end of the completion window stops dispatching: lines
 * not yet sent become {@code batch_cancelled} or {@code batch_expired} lines.
 */
@Component
class ChunkRunner implements SmartLifecycle {

	private static final Log logger = LogFactory.getLog(ChunkRunner.class);

	/**
	 * Chunks one replica runs at once per provider: two, so that the next chunk starts
	 * while the last lines of the one before are still in flight. The provider's
	 * {@link Throttle} bounds the requests in flight whatever the number of chunks.
	 */
	private static final int WORKERS = 2;

	private final ProviderRegistry registry;

	private final ExecutedProperties settings;

	private final JsonMapper mapper;

	/**
	 * The wall clock, for completion windows only; leases are judged by the monotonic
	 * one.
	 */
	private final Clock clock;

	/** This replica's identity in leases, new on every start. */
	private final String owner = RandomIds.hex(12);

	/**
	 * Leases held by others, with the version first seen and when, to judge expiry. A
	 * lease is looked at on every poll while its chunk is open, so an entry left alone
	 * for a few lease durations belongs to a chunk that has been committed, and goes.
	 */
	private final Cache<String, Observed> observed;

	private final AtomicInteger turn = new AtomicInteger();

	/** The chunks this replica is running now. */
	private final Set<String> active = ConcurrentHashMap.newKeySet();

	private volatile Disposable.@Nullable Composite running;

	ChunkRunner(ProviderRegistry registry, ExecutedProperties settings, JsonMapper mapper,
			ObjectProvider<Clock> clock) {
		this.registry = registry;
		this.settings = settings;
		this.mapper = mapper;
		this.clock = clock.getIfAvailable(Clock::systemUTC);
		this.observed = Caffeine.newBuilder().expireAfterAccess(settings.leaseDuration().multipliedBy(4)).build();
	}

	@Override
	public void start() {
		this.active.clear();
		Disposable.Composite loops = Disposables.composite();
		for (var provider : this.registry.all().stream().flatMap((each) -> each.parts().stream()).toList()) {
			if (provider instanceof ExecutedProvider executed) {
				for (int worker = 0; worker < WORKERS; worker++) {
					loops.add(loop(executed).subscribe());
				}
				loops.add(heartbeat(executed).subscribe(null,
						(failure) -> logger.warn("Counting the replicas that run executed batches of provider '"
								+ executed.name() + "' stopped: " + failure.getMessage())));
			}
		}
		this.running = loops;
	}

	@Override
	public void stop() {
		Disposable.Composite loops = this.running;
		if (loops != null) {
			loops.dispose();
		}
		this.running = null;
	}

	@Override
	public boolean isRunning() {
		return this.running != null;
	}

	/** Runs chunks back to back while there are any; otherwise waits a poll interval. */
	private Flux<Boolean> loop(ExecutedProvider provider) {
		return Mono.defer(() -> runNext(provider)).onErrorResume((failure) -> {
			logger.warn("Executed batches of provider '" + provider.name() + "': " + failure.getMessage(), failure);
			return Mono.just(false);
		})
			.flatMap((ran) -> ran ? Mono.just(true) : Mono.delay(this.settings.pollInterval()).thenReturn(false))
			.repeat();
	}

	/**
	 * Says every third of a lease duration that this replica runs the provider's batches,
	 * and counts the replicas that say so, so that each takes its share of the provider's
	 * limits. A replica is alive while its beat changes within a lease duration, judged
	 * like leases by this replica's monotonic clock; a beat left unchanged for four lease
	 * durations belongs to a replica that has gone, and is deleted.
	 */
	private Flux<Integer> heartbeat(ExecutedProvider provider) {
		ExecutedStore store = provider.store();
		Duration every = this.settings.leaseDuration().dividedBy(3);
		AtomicInteger beats = new AtomicInteger();
		return Flux.interval(Duration.ZERO, every)
			.onBackpressureDrop()
			.concatMap((tick) -> store.beat(provider.name(), this.owner, beats.incrementAndGet())
				.thenMany(store.runners(provider.name()))
				.concatMap((runner) -> {
					if (runner.owner().equals(this.owner)) {
						return Mono.just(1);
					}
					long unchanged = unchangedFor("runner/" + provider.name() + "/" + runner.owner(), runner.version());
					if (unchanged > this.settings.leaseDuration().toNanos() * 4) {
						return store.forget(provider.name(), runner.owner()).then(Mono.just(0));
					}
					return Mono.just((unchanged > this.settings.leaseDuration().toNanos()) ? 0 : 1);
				})
				.reduce(0, Integer::sum)
				.doOnNext((alive) -> provider.replicas(Math.max(1, alive)))
				.onErrorResume((failure) -> {
					logger.warn("Counting the replicas that run executed batches of provider '" + provider.name()
							+ "' failed: " + failure.getMessage());
					return Mono.empty();
				}));
	}

	private Mono<Boolean> runNext(ExecutedProvider provider) {
		ExecutedStore store = provider.store();
		return store.open(provider.name()).collectList().flatMap((open) -> {
			if (open.isEmpty()) {
				return Mono.just(false);
			}
			List<String> order = new ArrayList<>(open);
			java.util.Collections.sort(order);
			java.util.Collections.rotate(order, -Math.floorMod(this.turn.getAndIncrement(), order.size()));
			return Flux.fromIterable(order)
				.concatMap((batchId) -> claimNext(provider, batchId))
				.next()
				.flatMap((claim) -> run(provider, claim).thenReturn(true))
				.defaultIfEmpty(false);
		});
	}

	/** The first chunk of a batch this replica could claim, claimed. */
	private Mono<Claim> claimNext(ExecutedProvider provider, String batchId) {
		ExecutedStore store = provider.store();
		return store.plan(provider.name(), batchId)
			.flatMap((plan) -> store.committed(provider.name(), batchId)
				.collect(HashSet<Integer>::new, Set::add)
				.flatMap((committed) -> {
					if (committed.size() == plan.chunks()) {
						return finish(provider, plan).then(Mono.empty());
					}
					return Flux.range(0, plan.chunks())
						.filter((chunk) -> !committed.contains(chunk))
						.concatMap((chunk) -> claim(provider, plan, chunk))
						.next();
				}));
	}

	private Mono<Void> finish(ExecutedProvider provider, Plan plan) {
		ExecutedStore store = provider.store();
		return store.mark(provider.name(), plan.id(), "ended", this.clock.millis() / 1000)
			.then(store.close(provider.name(), plan.id()))
			.doOnSuccess((done) -> logger.info("Executed batch " + plan.id() + " of provider '" + provider.name()
					+ "' has ended: every chunk is committed"));
	}

	/**
	 * Claims a chunk: free, or held by a replica whose lease expired, or held by this
	 * replica but no longer run (its run failed). The chunk counts as this replica's own
	 * from the first look, so that its two workers never claim the same chunk.
	 */
	private Mono<Claim> claim(ExecutedProvider provider, Plan plan, int chunk) {
		String key = provider.name() + "/" + plan.id() + "/" + chunk;
		if (!this.active.add(key)) {
			return Mono.empty();
		}
		// Not released on cancel: a claim is cancelled by the very take that received it.
		return tryClaim(provider, plan, chunk, key).switchIfEmpty(Mono.fromRunnable(() -> this.active.remove(key)))
			.doOnError((failure) -> this.active.remove(key));
	}

	private Mono<Claim> tryClaim(ExecutedProvider provider, Plan plan, int chunk, String key) {
		ExecutedStore store = provider.store();
		return store.lease(provider.name(), plan.id(), chunk)
			.map(java.util.Optional::of)
			.defaultIfEmpty(java.util.Optional.empty())
			.flatMap((found) -> {
				if (found.isEmpty()) {
					return store.claim(provider.name(), plan.id(), chunk, new Lease(this.owner, 1, 0))
						.filter((write) -> write.won())
						.doOnNext((write) -> {
							if (chunk == 0) {
								logger.info("Executed batch " + plan.id() + " of provider '" + provider.name()
										+ "' is in progress");
							}
						})
						.map((write) -> new Claim(plan, chunk, 1, write.version()));
				}
				VersionedBlob current = found.get();
				Lease lease = store.readLease(current);
				if (!lease.owner().equals(this.owner) && !expired(key, current)) {
					return Mono.empty();
				}
				Lease takeover = new Lease(this.owner, lease.epoch() + 1, 0);
				return store.renew(provider.name(), plan.id(), chunk, takeover, current)
					.filter((write) -> write.won())
					.doOnNext((write) -> logger.info("Took over chunk " + chunk + " of executed batch " + plan.id()
							+ " from a replica whose lease expired"))
					.map((write) -> new Claim(plan, chunk, takeover.epoch(), write.version()));
			});
	}

	/**
	 * Whether another replica's lease has gone unrenewed for a lease duration, judged
	 * from when this replica first saw its current version (never from a time written by
	 * another machine's clock).
	 */
	private boolean expired(String key, VersionedBlob lease) {
		return unchangedFor(key, lease.version()) > this.settings.leaseDuration().toNanos();
	}

	/** How long, in nanoseconds, this replica has seen the object at this version. */
	private long unchangedFor(String key, BlobVersion version) {
		long now = System.nanoTime();
		Observed seen = this.observed.asMap()
			.compute(key, (k, previous) -> (previous != null && previous.version().equals(version)) ? previous
					: new Observed(version, now));
		return now - seen.since();
	}

	private Mono<Void> run(ExecutedProvider provider, Claim claim) {
		String key = provider.name() + "/" + claim.plan().id() + "/" + claim.chunk();
		return runChunk(provider, claim).doFinally((signal) -> this.active.remove(key));
	}

	private Mono<Void> runChunk(ExecutedProvider provider, Claim claim) {
		Plan plan = claim.plan();
		ExecutedStore store = provider.store();
		AtomicReference<@Nullable String> stop = new AtomicReference<>();
		AtomicReference<BlobVersion> version = new AtomicReference<>(claim.version());
		AtomicInteger renewals = new AtomicInteger();
		Duration every = this.settings.leaseDuration().dividedBy(3);
		// A tick that comes while the store is still answering the last one is dropped.
		Disposable renewing = Flux.interval(every, every)
			.onBackpressureDrop()
			.concatMap((tick) -> store.lease(provider.name(), plan.id(), claim.chunk())
				.filter((current) -> current.version().equals(version.get()))
				.flatMap((current) -> store.renew(provider.name(), plan.id(), claim.chunk(),
						new Lease(this.owner, claim.epoch(), renewals.incrementAndGet()), current))
				.doOnNext((write) -> {
					if (write.won()) {
						version.set(write.version());
					}
				}))
			.subscribe(null, (failure) -> logger.warn("Renewing a lease failed: " + failure.getMessage()));
		Disposable watching = Flux.interval(Duration.ZERO, this.settings.pollInterval())
			.onBackpressureDrop()
			.concatMap((tick) -> stopReason(provider, plan))
			.subscribe(stop::set, (failure) -> logger.warn("Watching for a cancel failed: " + failure.getMessage()));
		InputLines lines = provider.lines();
		long offset = plan.offsets().get(claim.chunk());
		long first = (long) claim.chunk() * plan.chunkSize();
		return stopReason(provider, plan).doOnNext(stop::set)
			.thenMany(JsonLines.frame(provider.files().content(plan.inputFileId(), offset), provider.maxLineBytes(),
					offset))
			.take(plan.linesOf(claim.chunk()))
			.flatMapSequential((line) -> dispatch(provider, plan, lines, line, first, stop), provider.maxConcurrency())
			.collectList()
			.flatMap((results) -> commit(provider, plan, claim.chunk(), results))
			.onErrorResume((failure) -> failure instanceof ApiError error && error.status() == 404,
					(failure) -> fail(provider, plan, (ApiError) failure))
			.doFinally((signal) -> {
				renewing.dispose();
				watching.dispose();
			});
	}

	/**
	 * Ends a batch whose input file is gone: the lines not yet run cannot even be named,
	 * so the batch is {@code failed} rather than answered with error lines.
	 */
	private Mono<Void> fail(ExecutedProvider provider, Plan plan, ApiError error) {
		ExecutedStore store = provider.store();
		return store.mark(provider.name(), plan.id(), "failed", this.clock.millis() / 1000)
			.then(store.close(provider.name(), plan.id()))
			.doOnSuccess((done) -> logger.warn("Executed batch " + plan.id() + " of provider '" + provider.name()
					+ "' has failed: its input file is gone (" + error.getMessage() + ")"));
	}

	/** Why dispatching must stop: a cancel was asked for, or the window has passed. */
	private Mono<String> stopReason(ExecutedProvider provider, Plan plan) {
		ExecutedStore store = provider.store();
		return store.marked(provider.name(), plan.id(), "cancel")
			.map((at) -> "batch_cancelled")
			.switchIfEmpty(Mono.defer(() -> {
				long now = this.clock.millis() / 1000;
				if (now < plan.deadline()) {
					return Mono.empty();
				}
				return store.marked(provider.name(), plan.id(), "expired")
					.switchIfEmpty(store.mark(provider.name(), plan.id(), "expired", now)
						.then(Mono.fromRunnable(() -> logger.info("Executed batch " + plan.id() + " of provider '"
								+ provider.name() + "' has expired: its completion window ended"))))
					.thenReturn("batch_expired");
			}));
	}

	private Mono<ObjectNode> dispatch(ExecutedProvider provider, Plan plan, InputLines lines, JsonLine line, long first,
			AtomicReference<@Nullable String> stop) {
		InputRequest request = lines.request(new JsonLine(first + line.number(), line.bytes(), line.end()),
				plan.endpoint());
		String reason = stop.get();
		if (reason != null) {
			return Mono.just(notRun(request.customId(), reason));
		}
		ObjectNode body = ((ObjectNode) request.body()).deepCopy();
		if (!body.has("model") && plan.model() != null) {
			body.put("model", plan.model());
		}
		return provider.caller().call(request.customId(), plan.endpoint(), body);
	}

	private ObjectNode notRun(String customId, String code) {
		ObjectNode line = this.mapper.createObjectNode().put("id", "batch_req_" + customId).put("custom_id", customId);
		line.putNull("response");
		line.putObject("error")
			.put("code", code)
			.put("message", code.equals("batch_cancelled") ? "The batch was cancelled before this request was sent."
					: "The batch's completion window ended before this request was sent.");
		return line;
	}

	private Mono<Void> commit(ExecutedProvider provider, Plan plan, int chunk, List<ObjectNode> results) {
		ByteArrayOutputStream bytes = new ByteArrayOutputStream();
		Counts counts = Counts.NONE;
		for (ObjectNode line : results) {
			bytes.writeBytes(this.mapper.writeValueAsBytes(line));
			bytes.write('\n');
			counts = counts.plus(Counts.ofLine(line));
		}
		Counts committed = counts;
		// A batch that has failed shows the chunks committed before; one that finishes
		// after it is not added, so that the failed batch's counts and files stay as
		// its callers first saw them.
		return provider.store()
			.marked(provider.name(), plan.id(), "failed")
			.map((failedAt) -> false)
			.switchIfEmpty(Mono.defer(
					() -> provider.store().commit(provider.name(), plan.id(), chunk, bytes.toByteArray(), committed)))
			.doOnNext((won) -> {
				if (logger.isDebugEnabled()) {
					logger.debug("Chunk " + chunk + " of executed batch " + plan.id()
							+ (won ? " committed: " + committed : " was committed by another replica first"));
				}
			})
			.then();
	}

	/** A chunk this replica has claimed. */
	private record Claim(Plan plan, int chunk, long epoch, BlobVersion version) {
	}

	/** A lease version as first seen, in this replica's monotonic time. */
	private record Observed(BlobVersion version, long since) {
	}

}
