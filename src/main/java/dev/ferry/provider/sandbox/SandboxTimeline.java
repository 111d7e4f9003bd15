package dev.ferry.provider.sandbox;

import java.time.Duration;
import java.time.Instant;

import org.jspecify.annotations.Nullable;

import dev.ferry.batch.BatchStatus;

/**
 * Where a sandbox batch is at a moment: a pure function of its creation time, the
 * processing time, its validation and any cancel request.
 *
 * <p>
 * The first 10% of the processing time is {@code validating}, up to 80% is
 * {@code in_progress} (requests complete evenly over it), the rest {@code finalizing},
 * then {@code completed}. A cancel is {@code cancelling} for 10% of the processing time,
 * then {@code cancelled}, keeping the requests processed until the cancel.
 */
record SandboxTimeline(Instant createdAt, Duration processingTime) {

	Instant inProgressAt() {
		return at(0.1);
	}

	Instant finalizingAt() {
		return at(0.8);
	}

	Instant completedAt() {
		return at(1.0);
	}

	Instant cancelledAt(Instant cancelRequestedAt) {
		return cancelRequestedAt.plus(this.processingTime.dividedBy(10));
	}

	/**
	 * The status at a moment.
	 * @param now the moment
	 * @param validation the validation, or {@code null} while it runs
	 * @param cancelRequestedAt when a cancel was asked for, or {@code null}
	 * @return the status
	 */
	BatchStatus status(Instant now, @Nullable Validation validation, @Nullable Instant cancelRequestedAt) {
		if (cancelRequestedAt != null) {
			return now.isBefore(cancelledAt(cancelRequestedAt)) ? BatchStatus.CANCELLING : BatchStatus.CANCELLED;
		}
		if (validation == null || now.isBefore(inProgressAt())) {
			return BatchStatus.VALIDATING;
		}
		if (validation.failed()) {
			return BatchStatus.FAILED;
		}
		if (now.isBefore(finalizingAt())) {
			return BatchStatus.IN_PROGRESS;
		}
		return now.isBefore(completedAt()) ? BatchStatus.FINALIZING : BatchStatus.COMPLETED;
	}

	/**
	 * How many of {@code total} requests have been processed at a moment.
	 * @param moment the moment
	 * @param total the number of requests
	 * @return the processed requests, from 0 to {@code total}
	 */
	long processed(Instant moment, long total) {
		if (moment.isBefore(inProgressAt())) {
			return 0;
		}
		if (!moment.isBefore(finalizingAt())) {
			return total;
		}
		double span = Duration.between(inProgressAt(), finalizingAt()).toNanos();
		double elapsed = Duration.between(inProgressAt(), moment).toNanos();
		return (long) Math.floor(total * elapsed / span);
	}

	private Instant at(double fraction) {
		return this.createdAt.plusNanos((long) (this.processingTime.toNanos() * fraction));
	}

}
