package dev.ferry.upstream;

import java.time.Duration;
import java.util.Optional;
import java.util.function.Predicate;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

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
 * view. Each caller gets its own copy of the upstream object, free to change.
 */
public final class BatchStatusCache {

	/** The caller headers that change what an upstream answers, besides credentials. */
	private static final String[] VARIANT_HEADERS = { "anthropic-version", "anthropic-beta" };

	/**
	 * Answers kept for their TTL, as JSON bytes: one array per entry rather than a tree
	 * of dozens of nodes, which young collections would copy again and again while a
	 * polling workload keeps thousands of running batches cached.
	 */
	private final Cache<Key, Kept> kept;

	/** Calls under way, which concurrent retrieves join. */
	private final SharedCalls<Key, JsonNode> inFlight = new SharedCalls<>();

	private final ProviderProperties.StatusCache settings;

	private final Predicate<JsonNode> ended;

	private final JsonMapper mapper;

	/**
	 * A cache for one provider.
	 * @param settings the provider's TTLs and size
	 * @param ended whether an upstream batch object has reached a terminal state
	 * @param mapper writes kept answers to bytes and reads them back for each caller
	 */
	public BatchStatusCache(ProviderProperties.StatusCache settings, Predicate<JsonNode> ended, JsonMapper mapper) {
		this.settings = settings;
		this.ended = ended;
		this.mapper = mapper;
		this.kept = Caffeine.newBuilder()
			.maximumSize(settings.maxEntries())
			.expireAfter(Expiry.<Key, Kept>writing((key, kept) -> kept.ttl()))
			.build();
	}

	private Duration ttl(JsonNode batch) {
		return this.ended.test(batch) ? this.settings.endedTtl() : this.settings.runningTtl();
	}

	/**
	 * The batch, from cache, from a call already under way, or from a new call.
	 * @param batchId the provider's batch id
	 * @param load the upstream call, made with the first caller's context
	 * @return a copy of the upstream batch object
	 */
	public Mono<JsonNode> get(String batchId, Mono<JsonNode> load) {
		return Mono.deferContextual((context) -> {
			Key key = new Key(batchId, credentialOf(CallerHeaders.from(context)));
			Kept hit = this.kept.getIfPresent(key);
			if (hit != null) {
				return Mono.just(this.mapper.readTree(hit.json()));
			}
			return this.inFlight.join(key, key, () -> load, context, (batch) -> keep(key, batch))
				.answer()
				.map(JsonNode::deepCopy);
		});
	}

	/** Keeps an answer for its TTL, unless that is zero. */
	private void keep(Key key, JsonNode batch) {
		Duration ttl = ttl(batch);
		if (!ttl.isZero()) {
			this.kept.put(key, new Kept(this.mapper.writeValueAsBytes(batch), ttl));
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

	/** An answer's JSON and how long it is kept. */
	private record Kept(byte[] json, Duration ttl) {
	}

}
