package dev.ferry.idempotency;

import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Flux;
import tools.jackson.databind.json.JsonMapper;

import dev.ferry.storage.LocalBlobStore;
import dev.ferry.support.MutableClock;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Idempotency records in a real blob store: one claim wins, records expire after their
 * TTL and the sweep deletes them.
 */
class IdempotencyRecordsTests {

	private static final Duration TTL = Duration.ofHours(24);

	private static final Duration WAIT = Duration.ofSeconds(5);

	private final MutableClock clock = new MutableClock();

	private final JsonMapper mapper = JsonMapper.builder().build();

	@TempDir
	Path root;

	private IdempotencyRecords records;

	@AfterEach
	void close() {
		this.records.close();
	}

	@Test
	void ofManyConcurrentClaimsOfOneKeyExactlyOneWins() {
		this.records = records();
		IdempotencyRecord started = IdempotencyRecord.started("req", this.clock.instant());
		long won = Flux.range(0, 50)
			.flatMap((i) -> this.records.claim("scope", started))
			.filter(IdempotencyRecords.Claim::won)
			.count()
			.block(WAIT);
		assertThat(won).isEqualTo(1);
	}

	@Test
	void ofManyConcurrentClaimsOfAnExpiredKeyExactlyOneTakesItOver() {
		this.records = records();
		this.records.claim("scope", IdempotencyRecord.started("req", this.clock.instant())).block(WAIT);
		this.clock.advance(TTL.plusMinutes(1));
		long won = Flux.range(0, 50)
			.flatMap((i) -> this.records.claim("scope", IdempotencyRecord.started("req", this.clock.instant())))
			.filter(IdempotencyRecords.Claim::won)
			.count()
			.block(WAIT);
		assertThat(won).isEqualTo(1);
	}

	@Test
	void aRecordIsKeptForItsTtlThenTheKeyIsFreeAgain() {
		this.records = records();
		IdempotencyRecord started = IdempotencyRecord.started("req", this.clock.instant());
		IdempotencyRecords.Claim claim = this.records.claim("scope", started).block(WAIT);
		assertThat(claim.won()).isTrue();
		this.records
			.save("scope", started.done(200, this.mapper.createObjectNode().put("id", "batch_1")), claim.version())
			.block(WAIT);
		this.clock.advance(TTL.minusMinutes(1));
		assertThat(this.records.claim("scope", started).block(WAIT).found().response().path("id").asString())
			.isEqualTo("batch_1");
		this.clock.advance(Duration.ofMinutes(2));
		assertThat(this.records.claim("scope", started).block(WAIT).won()).as("expired: claimed anew").isTrue();
	}

	@Test
	void theSweepDeletesOnlyExpiredRecords() {
		this.records = records();
		this.records.claim("old", IdempotencyRecord.started("a", this.clock.instant())).block(WAIT);
		this.clock.advance(TTL.minusHours(1));
		this.records.claim("young", IdempotencyRecord.started("b", this.clock.instant())).block(WAIT);
		this.clock.advance(Duration.ofHours(2));
		assertThat(this.records.sweep().block(WAIT)).isEqualTo(1);
		assertThat(this.records.claim("young", IdempotencyRecord.started("b", this.clock.instant())).block(WAIT))
			.as("the young record is still there")
			.returns(false, IdempotencyRecords.Claim::won);
	}

	private IdempotencyRecords records() {
		return new IdempotencyRecords(new LocalBlobStore(this.root), this.mapper, TTL, Duration.ofHours(1), this.clock);
	}

}
