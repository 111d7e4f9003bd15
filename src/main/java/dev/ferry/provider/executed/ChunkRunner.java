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
		Disposable.Composite loops = Disposables.composite();
		for (var provider : this.registry.all()) {
			if (provider instanceof ExecutedProvider executed) {
				loops.add(loop(executed).subscribe());
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

	private Mono<Claim> claim(ExecutedProvider provider, Plan plan, int chunk) {
		ExecutedStore store = provider.store();
		String key = provider.name() + "/" + plan.id() + "/" + chunk;
		return store.lease(provider.name(), plan.id(), chunk)
			.map(java.util.Optional::of)
			.defaultIfEmpty(java.util.Optional.empty())
			.flatMap((found) -> {
				if (found.isEmpty()) {
					return store.claim(provider.name(), plan.id(), chunk, new Lease(this.owner, 1, 0))
						.filter((write) -> write.won())
						.map((write) -> new Claim(plan, chunk, 1, write.version()));
				}
				VersionedBlob current = found.get();
				Lease lease = store.readLease(current);
				if (this.active.contains(key)) {
					return Mono.empty();
				}
				// A lease of this replica's that it no longer runs (its run failed) is
				// taken
				// again at once; another replica's only once it has gone unrenewed.
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
		long now = System.nanoTime();
		Observed seen = this.observed.asMap()
			.compute(key, (k, previous) -> (previous != null && previous.version().equals(lease.version())) ? previous
					: new Observed(lease.version(), now));
		return now - seen.since() > this.settings.leaseDuration().toNanos();
	}

	private Mono<Void> run(ExecutedProvider provider, Claim claim) {
		String key = provider.name() + "/" + claim.plan().id() + "/" + claim.chunk();
		this.active.add(key);
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
			.doFinally((signal) -> {
				renewing.dispose();
				watching.dispose();
			});
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
				return store.mark(provider.name(), plan.id(), "expired", now).thenReturn("batch_expired");
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
		return provider.store()
			.commit(provider.name(), plan.id(), chunk, bytes.toByteArray(), committed)
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
