package dev.ferry.upstream;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import dev.ferry.config.ProviderProperties;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The status cache on its own: what is kept, and for how long.
 */
class BatchStatusCacheTests {

	private final JsonMapper mapper = JsonMapper.builder().build();

	private final AtomicInteger loads = new AtomicInteger();

	private final AtomicInteger reads = new AtomicInteger();

	private final SimpleMeterRegistry meters = new SimpleMeterRegistry();

	private final BatchStatusCache.Counters counters = BatchStatusCache.Counters.of(this.meters, "openai");

	@RepeatedTest(20)
	void zeroTtlsKeepNothingOnceTheCallEnds() {
		BatchStatusCache<JsonNode> cache = new BatchStatusCache<>(
				new ProviderProperties.StatusCache(Duration.ZERO, Duration.ZERO, 100), this.counters, this::read,
				(batch) -> true);
		for (int i = 0; i < 5; i++) {
			assertThat(cache.get("batch_1", this::load).block(Duration.ofSeconds(5)).path("n").asInt())
				.isEqualTo(i + 1);
		}
	}

	@RepeatedTest(5)
	void anEndedBatchIsReadOnceAndKeptWithoutCallingOrReadingAgain() {
		BatchStatusCache<JsonNode> cache = new BatchStatusCache<>(
				new ProviderProperties.StatusCache(Duration.ZERO, Duration.ofHours(1), 100), this.counters, this::read,
				(batch) -> true);
		JsonNode first = cache.get("batch_1", this::load).block(Duration.ofSeconds(5));
		JsonNode second = cache.get("batch_1", this::load).block(Duration.ofSeconds(5));
		assertThat(this.loads).hasValue(1);
		assertThat(this.reads).as("a hit neither calls nor reads").hasValue(1);
		assertThat(second).isSameAs(first);
		assertThat(second.path("read").asBoolean()).isTrue();
		assertThat(this.meters.get("ferry.status.cache.requests").tag("result", "hit").counter().count()).isEqualTo(1);
		assertThat(this.meters.get("ferry.status.cache.requests").tag("result", "miss").counter().count()).isEqualTo(1);
	}

	@Test
	void aRunningBatchIsKeptForItsTtlOnly() throws InterruptedException {
		BatchStatusCache<JsonNode> cache = new BatchStatusCache<>(
				new ProviderProperties.StatusCache(Duration.ofMillis(50), Duration.ofHours(1), 100), this.counters,
				this::read, (batch) -> false);
		cache.get("batch_1", this::load).block(Duration.ofSeconds(5));
		cache.get("batch_1", this::load).block(Duration.ofSeconds(5));
		assertThat(this.loads).hasValue(1);
		Thread.sleep(100);
		cache.get("batch_1", this::load).block(Duration.ofSeconds(5));
		assertThat(this.loads).hasValue(2);
	}

	@Test
	void aChangeDropsOnlyTheChangedBatch() {
		BatchStatusCache<JsonNode> cache = new BatchStatusCache<>(
				new ProviderProperties.StatusCache(Duration.ZERO, Duration.ofHours(1), 100), this.counters, this::read,
				(batch) -> true);
		cache.get("batch_1", this::load).block(Duration.ofSeconds(5));
		cache.get("batch_2", this::load).block(Duration.ofSeconds(5));
		cache.changing("batch_1", Mono.just("cancelled")).block(Duration.ofSeconds(5));
		cache.get("batch_1", this::load).block(Duration.ofSeconds(5));
		cache.get("batch_2", this::load).block(Duration.ofSeconds(5));
		assertThat(this.loads).as("batch_1 loaded again, batch_2 still kept").hasValue(3);
		cache.changing("batch_1", Mono.just("cancelled")).block(Duration.ofSeconds(5));
		cache.changing("batch_1", Mono.just("cancelled again")).block(Duration.ofSeconds(5));
		cache.get("batch_1", this::load).block(Duration.ofSeconds(5));
		assertThat(this.loads).hasValue(4);
	}

	@RepeatedTest(10)
	void aChangeDropsAViewThatWasKeptAgainAfterExpiring() throws InterruptedException {
		BatchStatusCache<JsonNode> cache = new BatchStatusCache<>(
				new ProviderProperties.StatusCache(Duration.ofMillis(50), Duration.ofMillis(50), 100), this.counters,
				this::read, (batch) -> true);
		cache.get("batch_1", this::load).block(Duration.ofSeconds(5));
		Thread.sleep(100);
		cache.get("batch_1", this::load).block(Duration.ofSeconds(5));
		cache.changing("batch_1", Mono.just("deleted")).block(Duration.ofSeconds(5));
		cache.get("batch_1", this::load).block(Duration.ofSeconds(5));
		assertThat(this.loads).as("the view kept again is dropped by the change").hasValue(3);
	}

	private JsonNode read(JsonNode node) {
		this.reads.incrementAndGet();
		return ((tools.jackson.databind.node.ObjectNode) node).put("read", true);
	}

	private Mono<JsonNode> load() {
		return Mono.fromSupplier(() -> this.mapper.createObjectNode().put("n", this.loads.incrementAndGet()));
	}

}
