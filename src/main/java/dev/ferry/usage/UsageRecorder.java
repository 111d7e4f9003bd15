package dev.ferry.usage;

import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Map;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

import dev.ferry.auth.CallerHeaders;
import dev.ferry.batch.ApiError;
import dev.ferry.batch.Batch;
import dev.ferry.batch.BatchProvider;
import dev.ferry.batch.BatchStatus;
import dev.ferry.config.FerryProperties;
import dev.ferry.config.FerryProperties.Price;
import dev.ferry.results.JsonLines;
import dev.ferry.results.ResultSpools;
import dev.ferry.storage.BlobKeys;
import dev.ferry.storage.BlobStore;
import dev.ferry.storage.BlobVersion;
import dev.ferry.tenancy.Ownership;
import dev.ferry.tenancy.Ownership.Kind;
import dev.ferry.tenancy.Ownership.Owner;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Component;

/**
 * Records what an ended batch used, once: the first replica to see a gateway key's batch
 * ended claims its record with a create-only write, reads its results through the results
 * spool (where readers of the unified results API find them too), adds up their requests
 * and tokens, prices them, and writes the figures over its claim with compare-and-swap;
 * only then does it count them in its meters. Another replica seeing the same batch finds
 * the record and does nothing, unless the claim is older than {@link #READING_LEASE},
 * when the reader is taken to be gone and it reads in its place.
 */
@Component
public class UsageRecorder {

	/** How long a replica may read a batch's results before another takes over. */
	static final Duration READING_LEASE = Duration.ofMinutes(10);

	private static final Log logger = LogFactory.getLog(UsageRecorder.class);

	private final BlobStore blobs;

	private final Ownership ownership;

	private final ResultSpools spools;

	private final Map<String, Map<String, Price>> pricing;

	private final int maxLineBytes;

	private final MeterRegistry meters;

	private final JsonMapper mapper;

	private final Clock clock;

	private final boolean enabled;

	/**
	 * Batches this replica has recorded or found recorded, so that polls cost nothing.
	 */
	private final Cache<String, Boolean> settled = Caffeine.newBuilder().maximumSize(100_000).build();

	UsageRecorder(BlobStore blobs, Ownership ownership, ResultSpools spools, FerryProperties properties,
			MeterRegistry meters, JsonMapper mapper, ObjectProvider<Clock> clock) {
		this.blobs = blobs;
		this.ownership = ownership;
		this.spools = spools;
		this.pricing = properties.pricing();
		this.enabled = properties.usage().enabled();
		this.maxLineBytes = (int) properties.files().maxLineSize().toBytes();
		this.meters = meters;
		this.mapper = mapper;
		this.clock = clock.getIfAvailable(Clock::systemUTC);
	}

	/**
	 * Notes a batch seen ended, recording its usage in the background the first time; the
	 * caller does not wait for it.
	 * @param provider the provider
	 * @param batchId the batch's native id
	 * @param batch the batch
	 */
	public void ended(BatchProvider provider, String batchId, Batch batch) {
		String key = recordKey(provider.name(), batchId);
		if (!this.enabled || !batch.status().isTerminal() || this.settled.getIfPresent(key) != null) {
			return;
		}
		// Read with the provider's configured keys, as the batch is a gateway key's.
		record(provider, batchId, batch).contextWrite(CallerHeaders.ferryItself())
			.subscribe(null,
					(failure) -> logger.warn("Recording the usage of batch " + batch.id() + " of provider '"
							+ provider.name() + "' failed: " + failure.getMessage()
							+ "; the next replica to see it ended will try again"));
	}

	/**
	 * Records a batch's usage unless it is recorded or being recorded.
	 * @param provider the provider
	 * @param batchId the batch's native id
	 * @param batch the ended batch
	 * @return the record this call wrote; empty when another has it or no team owns the
	 * batch
	 */
	Mono<UsageRecord> record(BatchProvider provider, String batchId, Batch batch) {
		String key = recordKey(provider.name(), batchId);
		return this.ownership.owner(Kind.BATCH, provider.name(), batchId)
			.switchIfEmpty(Mono.<Owner>fromRunnable(() -> this.settled.put(key, Boolean.TRUE)))
			.flatMap((owner) -> claim(key).flatMap((claimed) -> read(provider, batchId, batch)
				.map((tally) -> recorded(owner, provider.name(), batch, tally))
				.flatMap((record) -> this.blobs.replace(key, this.mapper.writeValueAsBytes(record), claimed)
					.filter((write) -> write.won())
					.flatMap((write) -> this.blobs
						.create(dayIndex(record) + "/" + BlobKeys.part(provider.name()) + "." + BlobKeys.part(batchId),
								this.mapper.writeValueAsBytes(record))
						.thenReturn(record))
					.doOnNext((written) -> {
						count(written, batch.status());
						this.settled.put(key, Boolean.TRUE);
					}))));
	}

	/**
	 * Whether this replica knows a batch's usage to be recorded.
	 * @param provider the provider name
	 * @param batchId the batch's native id
	 * @return true once recorded, or once known to belong to no team
	 */
	public boolean settled(String provider, String batchId) {
		return !this.enabled || this.settled.getIfPresent(recordKey(provider, batchId)) != null;
	}

	/**
	 * Claims a batch's record: made anew, or taken over from a reader gone past its
	 * lease.
	 * @return the claim's version; empty when the batch is recorded or being read
	 */
	private Mono<BlobVersion> claim(String key) {
		long now = this.clock.millis();
		byte[] reading = this.mapper.writeValueAsBytes(UsageRecord.reading(now));
		return this.blobs.create(key, reading).flatMap((created) -> {
			if (created.won()) {
				return Mono.justOrEmpty(created.version());
			}
			return this.blobs.get(key).flatMap((found) -> {
				UsageRecord record = this.mapper.readValue(found.bytes(), UsageRecord.class);
				if (record.recorded()) {
					this.settled.put(key, Boolean.TRUE);
					return Mono.empty();
				}
				if (now - record.readingSince() < READING_LEASE.toMillis()) {
					return Mono.empty();
				}
				return this.blobs.replace(key, reading, found.version())
					.filter((write) -> write.won())
					.mapNotNull((write) -> write.version());
			});
		});
	}

	/** Adds up the results, read through the spool a results reader would use. */
	private Mono<Tally> read(BatchProvider provider, String batchId, Batch batch) {
		return provider.results(batchId)
			.flatMap((results) -> JsonLines
				.frame(this.spools.read(provider.name() + "\n" + batch.id(), 0, results.download()), this.maxLineBytes)
				.map((line) -> Tally.of(this.mapper.readTree(line.bytes())))
				.reduce(Tally.ZERO, Tally::plus))
			// A batch that failed, expired or was cancelled before any result has none:
			// it used nothing.
			.onErrorResume(ApiError.class, (error) -> (error.status() == 409 || error.status() == 410)
					&& batch.status() != BatchStatus.COMPLETED ? Mono.just(Tally.ZERO) : Mono.error(error));
	}

	private UsageRecord recorded(Owner owner, String provider, Batch batch, Tally tally) {
		String model = (batch.model() != null) ? batch.model() : "unknown";
		return new UsageRecord(UsageRecord.RECORDED, 0, owner.team(), owner.key(), provider, batch.id(), model,
				this.clock.instant().getEpochSecond(), tally.requests(), tally.inputTokens(), tally.outputTokens(),
				tally.cachedTokens(), cost(provider, model, tally));
	}

	/**
	 * The cost of the tokens at the model's prices less the provider's batch discount;
	 * {@code null} for a model the price table does not list.
	 */
	private @Nullable Double cost(String provider, String model, Tally tally) {
		Price price = this.pricing.getOrDefault(provider, Map.of()).get(model);
		if (price == null) {
			return null;
		}
		double cachedPrice = (price.cachedInputPerMtok() != null) ? price.cachedInputPerMtok() : price.inputPerMtok();
		double full = ((tally.inputTokens() - tally.cachedTokens()) * price.inputPerMtok()
				+ tally.cachedTokens() * cachedPrice + tally.outputTokens() * price.outputPerMtok()) / 1_000_000;
		return full * (100 - price.batchDiscountPercent()) / 100;
	}

	/** Counts a record in this replica's meters, which only its writer does. */
	private void count(UsageRecord record, BatchStatus status) {
		String[] tags = { "team", record.team(), "provider", record.provider(), "model", record.model() };
		this.meters.counter("ferry.batch.requests", tags).increment(record.requests());
		this.meters.counter("ferry.batch.tokens", withTag(tags, "type", "input")).increment(record.inputTokens());
		this.meters.counter("ferry.batch.tokens", withTag(tags, "type", "output")).increment(record.outputTokens());
		this.meters.counter("ferry.batch.tokens", withTag(tags, "type", "cached")).increment(record.cachedTokens());
		if (record.costUsd() != null) {
			this.meters.counter("ferry.batch.cost.usd", tags).increment(record.costUsd());
		}
		this.meters.counter("ferry.batches.ended", withTag(tags, "status", status.wireName())).increment();
	}

	private static String[] withTag(String[] tags, String name, String value) {
		String[] more = java.util.Arrays.copyOf(tags, tags.length + 2);
		more[tags.length] = name;
		more[tags.length + 1] = value;
		return more;
	}

	private static String recordKey(String provider, String batchId) {
		return "usage/batches/" + BlobKeys.part(provider) + "/" + BlobKeys.part(batchId);
	}

	/**
	 * The folder of the records of one UTC day, which usage queries read.
	 * @param record a record
	 * @return its day's folder
	 */
	static String dayIndex(UsageRecord record) {
		return dayFolder(LocalDate.ofInstant(java.time.Instant.ofEpochSecond(record.endedAt()), ZoneOffset.UTC));
	}

	static String dayFolder(LocalDate day) {
		return "usage/days/" + day;
	}

}
