package dev.ferry.tenancy;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

import dev.ferry.auth.CallerHeaders;
import dev.ferry.auth.GatewayKeys.Gateway;
import dev.ferry.batch.ApiError;
import dev.ferry.batch.BatchProvider;
import dev.ferry.batch.ProviderRegistry;
import dev.ferry.config.FerryProperties;
import dev.ferry.config.FerryProperties.Limits;
import dev.ferry.storage.BlobKeys;
import dev.ferry.storage.BlobStore;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Component;

/**
 * The limits on what a gateway key creates, by its team and by the key itself
 * ({@code ferry.quotas.teams.<team>}, {@code ferry.quotas.keys.<key>}): requests per
 * batch, requests per UTC day, and batches in flight. A create over any of them is
 * refused with a 429 naming the limit and when it resets, before anything goes upstream.
 *
 * <p>
 * What is counted lives in the shared blob store, so every replica counts the same: a
 * counter per day (raised with compare-and-swap), and a marker per batch in flight
 * (dropped once its batch is seen to have ended). Two creates checked at the same instant
 * on two replicas can both pass the last free place: the limits are exact but for
 * concurrent creates.
 */
@Component
public class Quotas {

	/**
	 * How long a caller over its batches in flight is told to wait before trying again.
	 */
	private static final Duration IN_FLIGHT_WAIT = Duration.ofMinutes(1);

	private static final int MAX_CAS_ATTEMPTS = 20;

	private final FerryProperties.Quotas settings;

	private final BlobStore blobs;

	private final JsonMapper mapper;

	private final Clock clock;

	private final ObjectProvider<ProviderRegistry> registry;

	Quotas(FerryProperties properties, BlobStore blobs, JsonMapper mapper, ObjectProvider<Clock> clock,
			ObjectProvider<ProviderRegistry> registry) {
		this.settings = properties.quotas();
		this.blobs = blobs;
		this.mapper = mapper;
		this.clock = clock.getIfAvailable(Clock::systemUTC);
		this.registry = registry;
	}

	/**
	 * Checks a create against the caller's limits.
	 * @param requests how many requests the batch has, asked only where a limit counts
	 * requests
	 * @return the admission, to be noted once the batch exists; a 429 over a limit
	 */
	public Mono<Admission> admit(Supplier<Mono<Long>> requests) {
		return CallerHeaders.current().flatMap((caller) -> {
			List<Holder> holders = holders(caller.gateway());
			if (holders.isEmpty()) {
				return Mono.just(Admission.NONE);
			}
			boolean countsRequests = holders.stream()
				.anyMatch((holder) -> holder.limits().requestsPerBatch() != null
						|| holder.limits().requestsPerDay() != null);
			Mono<Long> counted = countsRequests ? requests.get().defaultIfEmpty(0L) : Mono.just(0L);
			return counted.flatMap((count) -> Flux.fromIterable(holders)
				.concatMap((holder) -> check(holder, count))
				.then(Mono.just(new Admission(holders, count))));
		});
	}

	/**
	 * Notes a batch created within the limits: its requests on today's counters, and its
	 * place among the batches in flight.
	 * @param admission the admission the create was given
	 * @param provider the provider name
	 * @param batchId the batch's native id
	 * @return completion
	 */
	public Mono<Void> admitted(Admission admission, String provider, String batchId) {
		return Flux.fromIterable(admission.holders()).concatMap((holder) -> {
			Mono<Void> day = (holder.limits().requestsPerDay() != null) ? addToday(holder, admission.requests())
					: Mono.empty();
			Mono<Void> flight = (holder.limits().batchesInFlight() != null)
					? this.blobs
						.create(inFlightFolder(holder) + "/" + BlobKeys.part(provider) + "." + BlobKeys.part(batchId),
								new byte[0])
						.then()
					: Mono.empty();
			return day.then(flight);
		}).then();
	}

	private Mono<Void> check(Holder holder, long requests) {
		Limits limits = holder.limits();
		if (limits.requestsPerBatch() != null && requests > limits.requestsPerBatch()) {
			return Mono.error(exceeded(holder, "requests-per-batch", "the batch has " + requests + " requests; "
					+ holder + " may create batches of at most " + limits.requestsPerBatch() + " (split it)", null));
		}
		Mono<Void> day = (limits.requestsPerDay() == null) ? Mono.empty() : usedToday(holder).flatMap((used) -> {
			if (used + requests <= limits.requestsPerDay()) {
				return Mono.empty();
			}
			Instant reset = LocalDate.now(this.clock.withZone(ZoneOffset.UTC))
				.plusDays(1)
				.atStartOfDay(ZoneOffset.UTC)
				.toInstant();
			return Mono.error(exceeded(holder, "requests-per-day",
					holder + " has created batches of " + used + " requests today (UTC) of its "
							+ limits.requestsPerDay() + " a day; this one has " + requests + "; the count resets at "
							+ reset,
					Duration.between(this.clock.instant(), reset)));
		});
		Mono<Void> flight = (limits.batchesInFlight() == null) ? Mono.empty() : inFlight(holder).flatMap((count) -> {
			if (count < limits.batchesInFlight()) {
				return Mono.empty();
			}
			return Mono.error(exceeded(holder, "batches-in-flight", holder + " has " + count
					+ " batches not yet ended, its limit; a place frees when one of them " + "ends (or is cancelled)",
					IN_FLIGHT_WAIT));
		});
		return day.then(flight);
	}

	private static ApiError exceeded(Holder holder, String limit, String message, @Nullable Duration reset) {
		ApiError error = new ApiError(429, "rate_limit_error", "quota_exceeded",
				"quota exceeded (" + holder.setting(limit) + "): " + message, null, null);
		return (reset != null) ? error.withRetryAfter(reset.isNegative() ? Duration.ZERO : reset) : error;
	}

	/**
	 * The batches of a holder still in flight, dropping the markers of those that ended.
	 */
	private Mono<Long> inFlight(Holder holder) {
		String folder = inFlightFolder(holder);
		return this.blobs.list(folder).concatMap((entry) -> {
			String[] parts = entry.split("\\.", 2);
			String provider = BlobKeys.text(parts[0]);
			String batchId = BlobKeys.text(parts[1]);
			return stillRunning(provider, batchId)
				.flatMap((running) -> running ? Mono.just(1L) : this.blobs.delete(folder + "/" + entry).thenReturn(0L));
		}).reduce(0L, Long::sum);
	}

	/**
	 * Whether a batch has not ended; one whose provider is gone or that the provider no
	 * longer has has ended, and one that cannot be read now is counted as running.
	 */
	private Mono<Boolean> stillRunning(String provider, String batchId) {
		ProviderRegistry providers = this.registry.getObject();
		if (!providers.names().contains(provider)) {
			return Mono.just(false);
		}
		BatchProvider source = providers.get(provider);
		return source.retrieveBatch(batchId)
			.map((batch) -> !batch.status().isTerminal())
			.onErrorResume(ApiError.class, (error) -> Mono.just(error.status() != 404));
	}

	private Mono<Long> usedToday(Holder holder) {
		return this.blobs.get(dayKey(holder))
			.map((blob) -> this.mapper.readTree(blob.bytes()).path("requests").asLong(0))
			.defaultIfEmpty(0L);
	}

	/** Adds to today's counter, with compare-and-swap so that replicas add up. */
	private Mono<Void> addToday(Holder holder, long requests) {
		String key = dayKey(holder);
		return Mono.defer(() -> this.blobs.get(key).flatMap((blob) -> {
			long used = this.mapper.readTree(blob.bytes()).path("requests").asLong(0);
			return this.blobs.replace(key, counter(used + requests), blob.version());
		}).switchIfEmpty(Mono.defer(() -> this.blobs.create(key, counter(requests)))).flatMap((write) -> {
			if (write.won()) {
				return Mono.just(write);
			}
			return Mono.error(new IllegalStateException("another replica counted first"));
		})).retry(MAX_CAS_ATTEMPTS).then();
	}

	private byte[] counter(long requests) {
		return this.mapper.writeValueAsBytes(this.mapper.createObjectNode().put("requests", requests));
	}

	private String dayKey(Holder holder) {
		return "tenancy/quotas/" + holder.kind() + "/" + BlobKeys.part(holder.name()) + "/day-"
				+ LocalDate.now(this.clock.withZone(ZoneOffset.UTC));
	}

	private static String inFlightFolder(Holder holder) {
		return "tenancy/quotas/" + holder.kind() + "/" + BlobKeys.part(holder.name()) + "/in-flight";
	}

	/** The caller's team and key, where limits are set for them. */
	private List<Holder> holders(@Nullable Gateway gateway) {
		List<Holder> holders = new ArrayList<>();
		if (gateway == null) {
			return holders;
		}
		Limits team = this.settings.teams().get(gateway.team());
		if (team != null) {
			holders.add(new Holder("teams", gateway.team(), team));
		}
		Limits key = this.settings.keys().get(gateway.name());
		if (key != null) {
			holders.add(new Holder("keys", gateway.name(), key));
		}
		return holders;
	}

	/**
	 * A team or a key, with its limits.
	 *
	 * @param kind {@code teams} or {@code keys}
	 * @param name its name
	 * @param limits its limits
	 */
	private record Holder(String kind, String name, Limits limits) {

		String setting(String limit) {
			return "ferry.quotas." + this.kind + "." + this.name + "." + limit;
		}

		@Override
		public String toString() {
			return (this.kind.equals("teams") ? "team '" : "key '") + this.name + "'";
		}

	}

	/**
	 * A create let through: whose limits it counts against, and with how many requests.
	 */
	public static final class Admission {

		/** A create no limit applies to. */
		static final Admission NONE = new Admission(List.of(), 0);

		private final List<Holder> holders;

		private final long requests;

		Admission(List<Holder> holders, long requests) {
			this.holders = holders;
			this.requests = requests;
		}

		List<Holder> holders() {
			return this.holders;
		}

		long requests() {
			return this.requests;
		}

	}

}
