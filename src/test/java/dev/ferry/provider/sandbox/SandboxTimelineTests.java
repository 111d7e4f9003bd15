package dev.ferry.provider.sandbox;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.ferry.batch.BatchError;
import dev.ferry.batch.BatchStatus;

import static org.assertj.core.api.Assertions.assertThat;

class SandboxTimelineTests {

	private static final Instant CREATED = Instant.parse("2026-01-01T00:00:00Z");

	private final SandboxTimeline timeline = new SandboxTimeline(CREATED, Duration.ofSeconds(100));

	private final Validation valid = new Validation(1000, 0, "m", List.of());

	@Test
	void movesThroughEveryStatusWithTheClock() {
		assertThat(this.timeline.status(at(0), this.valid, null)).isEqualTo(BatchStatus.VALIDATING);
		assertThat(this.timeline.status(at(10), this.valid, null)).isEqualTo(BatchStatus.IN_PROGRESS);
		assertThat(this.timeline.status(at(80), this.valid, null)).isEqualTo(BatchStatus.FINALIZING);
		assertThat(this.timeline.status(at(100), this.valid, null)).isEqualTo(BatchStatus.COMPLETED);
	}

	@Test
	void staysValidatingUntilValidationHasRun() {
		assertThat(this.timeline.status(at(50), null, null)).isEqualTo(BatchStatus.VALIDATING);
	}

	@Test
	void failsAfterTheValidatingPhaseWhenValidationFoundErrors() {
		Validation invalid = new Validation(2, 0, null, List.of(new BatchError("url_mismatch", "bad", "url", 2L)));
		assertThat(this.timeline.status(at(5), invalid, null)).isEqualTo(BatchStatus.VALIDATING);
		assertThat(this.timeline.status(at(10), invalid, null)).isEqualTo(BatchStatus.FAILED);
	}

	@Test
	void cancellingLastsATenthOfTheProcessingTime() {
		Instant cancel = at(30);
		assertThat(this.timeline.status(at(39), this.valid, cancel)).isEqualTo(BatchStatus.CANCELLING);
		assertThat(this.timeline.status(at(40), this.valid, cancel)).isEqualTo(BatchStatus.CANCELLED);
	}

	@Test
	void processesRequestsEvenlyWhileInProgress() {
		assertThat(this.timeline.processed(at(5), 1000)).isZero();
		assertThat(this.timeline.processed(at(10), 1000)).isZero();
		assertThat(this.timeline.processed(at(45), 1000)).isEqualTo(500);
		assertThat(this.timeline.processed(at(80), 1000)).isEqualTo(1000);
		assertThat(this.timeline.processed(at(1000), 1000)).isEqualTo(1000);
	}

	private static Instant at(long seconds) {
		return CREATED.plusSeconds(seconds);
	}

}
