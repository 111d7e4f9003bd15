package dev.ferry.upstream;

import java.time.Duration;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;

import dev.ferry.auth.CallerHeaders;
import dev.ferry.config.ProviderProperties;

/**
 * Absorbs polling storms: concurrent retrieves of one batch share a single upstream call,
 * a batch that has ended is kept (its state can no longer change) and one still running
 * is kept for a short TTL.
 *
 * <p>
 * Entries are per credential: callers forwarding their own provider keys never see a
 * batch fetched with someone else's key, and gateway callers share the configured keys'
 * view. What is kept is the provider's reading of the upstream object, made once per
 * upstream answer: a hit costs a lookup, with no parsing or mapping, and every caller
 * shares the kept value, so it must not be changed (callers that change it copy it).
 *
 * @param <T> what a provider reads an upstream batch object into
 */
public final class BatchStatusCache<T> {

	/** The caller headers that change what an upstream answers, besides credentials. */
	private static final String[] VARIANT_HEADERS = { "anthropic-version", "anthropic-beta" };

	/**
	 * Values kept for their TTL. A running batch's entry lives a second, so it dies young
	 * and costs young collections nothing; an ended batch's is kept an hour and is
	 * promoted once.
	 */
	private final Cache<Key, Kept<T>> kept;

	/** Calls under way, which concurrent retrieves join. */
	private final SharedCalls<Key, T> inFlight = new SharedCalls<>();

	private final ProviderProperties.StatusCache settings;

	private final Function<JsonNode, T> read;

	private final Predicate<T> ended;

	private final Counters counters;

	/**
	 * A cache for one provider.
	 * @param settings the provider's TTLs and size
	 * @param counters where hits and misses are counted
	 * @param read reads an upstream batch object into what is kept, once per answer
	 * @param ended whether a kept batch has reached a terminal state
	 */
	public BatchStatusCache(ProviderProperties.StatusCache settings, Counters counters, Function<JsonNode, T> read,
			Predicate<T> ended) {
		this.settings = settings;
		this.counters = counters;
		this.read = read;
		this.ended = ended;
		this.kept = Caffeine.newBuilder()
			.maximumSize(settings.maxEntries())
			.expireAfter(Expiry.<Key, Kept<T>>writing((key, kept) -> kept.ttl()))
			.build();
	}

	private Duration ttl(T batch) {
		return this.ended.test(batch) ? this.settings.endedTtl() : this.settings.runningTtl();
	}

	/**
	 * The batch, from cache, from a call already under way, or from a new call.
	 * @param batchId the provider's batch id
	 * @param load makes the upstream call, with the first caller's context; not invoked
	 * on a hit
	 * @return the kept value, shared: not to be changed
	 */
	public Mono<T> get(String batchId, Supplier<Mono<JsonNode>> load) {
		return Mono.deferContextual((context) -> {
			Key key = new Key(batchId, credentialOf(CallerHeaders.from(context)));
			Kept<T> hit = this.kept.getIfPresent(key);
			if (hit != null) {
				this.counters.hits().increment();
				return Mono.just(hit.value());
			}
			this.counters.misses().increment();
			return this.inFlight.join(key, key, () -> load.get().map(this.read), context, (batch) -> keep(key, batch))
				.answer();
		});
	}

	/** Keeps an answer for its TTL, unless that is zero. */
	private void keep(Key key, T batch) {
		Duration ttl = ttl(batch);
		if (!ttl.isZero()) {
			this.kept.put(key, new Kept<>(batch, ttl));
		}
	}

	/**
	 * Runs a call that changes a batch (cancel, delete), dropping its cached views before
	 * the caller sees the answer, so their next retrieve reaches the upstream.
	 * @param <T> the call's result
	 * @param batchId the provider's batch id
	 * @param call the call
	 * @return the call, forgetting the batch as it ends
	 */
	public <T> Mono<T> changing(String batchId, Mono<T> call) {
		return call.doOnNext((result) -> forget(batchId)).doOnError((failure) -> forget(batchId));
	}

	/**
	 * Drops every cached view of a batch, after a call that changes it.
	 * @param batchId the provider's batch id
	 */
	private void forget(String batchId) {
		// A scan, not an index by batch: such an index loses a view kept again
		// over an expired one, whose eviction is reported as the new one goes in.
		// Cancels and deletes are rare next to retrieves.
		this.kept.asMap().keySet().removeIf((key) -> key.batchId().equals(batchId));
	}

	/**
	 * What decides which upstream view a caller gets: the credential (a hash of their own
	 * key, or the gateway's keys) and the headers that change the answer's shape.
	 */
	private static String credentialOf(CallerHeaders caller) {
		// Every gateway key spends the same configured provider keys, so shares one view.
		StringBuilder credential = new StringBuilder((caller.gateway() != null) ? "gateway" : caller.principal());
		for (String header : VARIANT_HEADERS) {
			Optional<String> value = caller.get(header);
			credential.append('\n').append(value.orElse(""));
		}
		return credential.toString();
	}

	private record Key(String batchId, String credential) {
	}

	/** A kept value and how long it is kept. */
	private record Kept<T>(T value, Duration ttl) {
	}

	/**
	 * The retrieves one provider's cache answered from what it kept, and the others
	 * (which joined a call under way or made one): {@code ferry.status.cache.requests}
	 * with {@code result} {@code hit} or {@code miss}.
	 *
	 * @param hits answered from the cache
	 * @param misses not
	 */
	public record Counters(Counter hits, Counter misses) {

		/**
		 * The counters of a provider.
		 * @param meters the registry
		 * @param provider the provider name
		 * @return its counters
		 */
		public static Counters of(MeterRegistry meters, String provider) {
			return new Counters(meters.counter("ferry.status.cache.requests", "provider", provider, "result", "hit"),
					meters.counter("ferry.status.cache.requests", "provider", provider, "result", "miss"));
		}

	}

}
