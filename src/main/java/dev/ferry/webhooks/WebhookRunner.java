package dev.ferry.webhooks;

import java.time.Clock;
import java.time.Duration;
import java.util.function.BiFunction;
import java.util.function.Predicate;

import io.micrometer.core.instrument.MeterRegistry;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import dev.ferry.auth.CallerHeaders;
import dev.ferry.batch.ApiError;
import dev.ferry.batch.Batch;
import dev.ferry.batch.BatchStatus;
import dev.ferry.batch.ProviderRegistry;
import dev.ferry.batch.Sha256;
import dev.ferry.config.FerryProperties;
import dev.ferry.storage.BlobStore;
import dev.ferry.storage.BlobVersion;
import dev.ferry.usage.UsageRecorder;
import dev.ferry.webhooks.BatchWatches.Watch;
import dev.ferry.webhooks.WebhookTargets.Target;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.SmartLifecycle;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.client.WebClient;

/**
 * Runs the webhooks on every replica, each poll interval: reads the watched batches that
 * are due (one replica per batch, by a lease taken with compare-and-swap), queues an
 * event for each endpoint once a batch has ended, and sends the queued events that are
 * due.
 *
 * <p>
 * A young batch is read every poll interval, an older one less often (a tenth of its age,
 * at most every five minutes). A delivery is made at least once: until the endpoint
 * answers 2xx it is attempted again with the same {@code webhook-id}, after
 * {@code first-retry}, then twice as long each time (at most an hour), until
 * {@code give-up-after} has passed since it was queued. The queue is in the blob store,
 * so a restart loses nothing.
 */
@Component
class WebhookRunner implements SmartLifecycle {

	private static final Log logger = LogFactory.getLog(WebhookRunner.class);

	/** How long a replica holds a watch or a delivery while it works on it. */
	private static final Duration LEASE = Duration.ofSeconds(30);

	private static final Duration LONGEST_CHECK_INTERVAL = Duration.ofMinutes(5);

	private static final Duration LONGEST_RETRY = Duration.ofHours(1);

	private static final Duration SEND_TIMEOUT = Duration.ofSeconds(10);

	private final BatchWatches watches;

	private final BlobStore blobs;

	private final JsonMapper mapper;

	private final Clock clock;

	private final ObjectProvider<ProviderRegistry> registry;

	private final FerryProperties.Webhooks settings;

	private final WebClient client;

	private final MeterRegistry meters;

	private final UsageRecorder usage;

	private volatile Disposable running;

	WebhookRunner(BatchWatches watches, BlobStore blobs, JsonMapper mapper, ObjectProvider<Clock> clock,
			ObjectProvider<ProviderRegistry> registry, FerryProperties properties, WebClient.Builder builder,
			MeterRegistry meters, UsageRecorder usage) {
		this.usage = usage;
		this.watches = watches;
		this.blobs = blobs;
		this.mapper = mapper;
		this.clock = clock.getIfAvailable(Clock::systemUTC);
		this.registry = registry;
		this.settings = properties.webhooks();
		this.client = builder.clone().build();
		this.meters = meters;
	}

	@Override
	public void start() {
		if (this.watches.targets().isEmpty()) {
			return;
		}
		this.running = Flux.interval(this.settings.pollInterval())
			.onBackpressureDrop()
			.concatMap((tick) -> Mono.when(checkWatches(), sendDeliveries()).onErrorResume((failure) -> {
				logger.warn("A webhook round failed: " + failure.getMessage());
				return Mono.empty();
			}), 1)
			.subscribe();
	}

	@Override
	public void stop() {
		Disposable loop = this.running;
		if (loop != null) {
			loop.dispose();
		}
		this.running = null;
	}

	@Override
	public boolean isRunning() {
		return this.running != null;
	}

	/** Reads each due batch this replica could lease; queues its events once it ended. */
	private Mono<Void> checkWatches() {
		return this.blobs.list(BatchWatches.FOLDER)
			.concatMap((name) -> lease(BatchWatches.FOLDER + "/" + name, Watch.class,
					(watch) -> watch.nextCheck() <= now() && watch.leasedUntil() <= now(),
					(watch, until) -> watch.leased(until))
				.flatMap((leased) -> check(BatchWatches.FOLDER + "/" + name, leased.record(), leased.version()))
				.onErrorResume((failure) -> {
					// The lease runs out, and the batch is read again then.
					logger.debug("Reading a watched batch failed: " + failure.getMessage());
					return Mono.empty();
				}))
			.then();
	}

	private Mono<Void> check(String key, Watch watch, BlobVersion version) {
		ProviderRegistry providers = this.registry.getObject();
		if (!providers.names().contains(watch.provider())) {
			return this.blobs.delete(key);
		}
		return providers.get(watch.provider())
			.retrieveBatch(watch.batchId())
			.contextWrite(CallerHeaders.ferryItself())
			.flatMap((batch) -> {
				if (!batch.status().isTerminal()) {
					return checkAgainLater(key, watch, version);
				}
				// The watcher may be first to see the batch ended: its usage is recorded
				// too.
				this.usage.ended(providers.get(watch.provider()), watch.batchId(), batch);
				return queue(watch, batch).then(this.blobs.delete(key));
			})
			.onErrorResume(ApiError.class,
					(error) -> (error.status() == 404) ? this.blobs.delete(key) : Mono.error(error));
	}

	/** Sets a running batch's next read: later the older it is. */
	private Mono<Void> checkAgainLater(String key, Watch watch, BlobVersion version) {
		long age = now() - watch.createdAt();
		long interval = Math.min(Math.max(this.settings.pollInterval().toMillis(), age / 10),
				LONGEST_CHECK_INTERVAL.toMillis());
		return this.blobs.replace(key, this.mapper.writeValueAsBytes(watch.checkAgainAt(now() + interval)), version)
			.then();
	}

	/**
	 * Queues the event of an ended batch for each endpoint that hears of its team; the
	 * event id comes from the batch, and each delivery is written create-only, so a batch
	 * seen ended twice is announced once.
	 */
	private Mono<Void> queue(Watch watch, Batch batch) {
		String eventId = "evt_" + Sha256.hex(watch.provider() + "\n" + watch.batchId()).substring(0, 32);
		ObjectNode event = this.mapper.createObjectNode()
			.put("id", eventId)
			.put("object", "event")
			.put("created_at", now() / 1000)
			.put("type", type(batch.status()));
		event.putObject("data").put("id", watch.shownId());
		String body = event.toString();
		return Flux.fromIterable(this.watches.targets())
			.filter((target) -> target.hears(watch.team()))
			.concatMap((target) -> {
				Delivery delivery = new Delivery(eventId, target.index(), body, 0, now(), now(), 0);
				return this.blobs.create(delivery.key(), this.mapper.writeValueAsBytes(delivery));
			})
			.then();
	}

	private static String type(BatchStatus status) {
		return switch (status) {
			case FAILED -> "batch.failed";
			case CANCELLED -> "batch.cancelled";
			case EXPIRED -> "batch.expired";
			default -> "batch.completed";
		};
	}

	/** Sends each due delivery this replica could lease. */
	private Mono<Void> sendDeliveries() {
		return this.blobs.list(Delivery.FOLDER)
			.concatMap((name) -> lease(Delivery.FOLDER + "/" + name, Delivery.class,
					(delivery) -> delivery.nextAt() <= now() && delivery.leasedUntil() <= now(), Delivery::leased)
				.flatMap((leased) -> send(leased.record(), leased.version()))
				.onErrorResume((failure) -> {
					logger.debug("A webhook delivery could not be updated: " + failure.getMessage());
					return Mono.empty();
				}))
			.then();
	}

	private Mono<Void> send(Delivery delivery, BlobVersion version) {
		if (delivery.endpoint() >= this.watches.targets().size()) {
			return this.blobs.delete(delivery.key());
		}
		Target target = this.watches.targets().get(delivery.endpoint());
		long timestamp = now() / 1000;
		return publicTarget(target)
			.flatMap((allowed) -> !allowed ? Mono.just(false) : this.client.post()
				.uri(target.endpoint().url())
				.contentType(MediaType.APPLICATION_JSON)
				.header("webhook-id", delivery.eventId())
				.header("webhook-timestamp", Long.toString(timestamp))
				.header("webhook-signature",
						Signatures.sign(target.key(), delivery.eventId(), timestamp, delivery.body()))
				.bodyValue(delivery.body())
				.exchangeToMono(
						(response) -> response.releaseBody().thenReturn(response.statusCode().is2xxSuccessful()))
				.timeout(SEND_TIMEOUT)
				.onErrorResume((failure) -> Mono.just(false)))
			.flatMap((acknowledged) -> {
				if (acknowledged) {
					this.meters.counter("ferry.webhooks.deliveries", "outcome", "delivered").increment();
					return this.blobs.delete(delivery.key());
				}
				if (now() - delivery.firstAt() >= this.settings.giveUpAfter().toMillis()) {
					logger.warn("Webhook event " + delivery.eventId() + " to " + target.endpoint().url()
							+ " is given up after " + (delivery.attempts() + 1) + " attempts");
					this.meters.counter("ferry.webhooks.deliveries", "outcome", "given_up").increment();
					return this.blobs.delete(delivery.key());
				}
				this.meters.counter("ferry.webhooks.deliveries", "outcome", "retried").increment();
				long wait = Math.min(this.settings.firstRetry().toMillis() << Math.min(delivery.attempts(), 20),
						LONGEST_RETRY.toMillis());
				return this.blobs
					.replace(delivery.key(), this.mapper.writeValueAsBytes(delivery.failedOnce(now() + wait)), version)
					.then();
			});
	}

	/**
	 * Whether an endpoint's host resolves to public addresses only, checked before each
	 * delivery (DNS may have changed since start-up), on a bounded scheduler since DNS
	 * blocks; any address will do where private targets are allowed.
	 */
	private Mono<Boolean> publicTarget(Target target) {
		if (this.settings.allowPrivateTargets()) {
			return Mono.just(true);
		}
		return Mono.fromCallable(() -> WebhookTargets.privateAddress(target.endpoint().url().getHost()))
			.subscribeOn(Schedulers.boundedElastic())
			.map((address) -> false)
			.defaultIfEmpty(true)
			.doOnNext((allowed) -> {
				if (!allowed) {
					logger.warn("Webhook endpoint " + target.endpoint().url()
							+ " now resolves to a private address; the delivery waits");
				}
			})
			.onErrorResume((failure) -> Mono.just(false));
	}

	/**
	 * Takes a record due for work with compare-and-swap, so that one replica works on it.
	 * @return the leased record and its new version; empty when not due or taken
	 */
	private <T> Mono<Leased<T>> lease(String key, Class<T> type, Predicate<T> due, BiFunction<T, Long, T> leased) {
		return this.blobs.get(key).flatMap((found) -> {
			T record = this.mapper.readValue(found.bytes(), type);
			if (!due.test(record)) {
				return Mono.empty();
			}
			T taken = leased.apply(record, now() + LEASE.toMillis());
			return this.blobs.replace(key, this.mapper.writeValueAsBytes(taken), found.version())
				.filter((write) -> write.won() && write.version() != null)
				.map((write) -> new Leased<>(taken, write.version()));
		});
	}

	private long now() {
		return this.clock.millis();
	}

	/** A record this replica holds, and the version to replace it at. */
	private record Leased<T>(T record, BlobVersion version) {
	}

}
