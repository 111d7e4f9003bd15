package dev.ferry.batch;

import java.util.Locale;

import org.jspecify.annotations.Nullable;

/**
 * A batch's status in OpenAI's vocabulary, which every provider's native state maps onto;
 * the native state itself is kept beside it on {@link Batch}.
 */
public enum BatchStatus {

	VALIDATING, FAILED, IN_PROGRESS, FINALIZING, COMPLETED, EXPIRED, CANCELLING, CANCELLED;

	/**
	 * The wire name, such as {@code in_progress}.
	 * @return the lower-case name
	 */
	public String wireName() {
		return name().toLowerCase(Locale.ROOT);
	}

	/**
	 * Whether the batch can no longer change.
	 * @return true for failed, completed, expired and cancelled
	 */
	public boolean isTerminal() {
		return this == FAILED || this == COMPLETED || this == EXPIRED || this == CANCELLED;
	}

	/**
	 * The status a batch's timestamps show, for a provider whose own status is outside
	 * OpenAI's set: the latest step that has a time, a cancel before the end it leads to.
	 * @param times the batch's timestamps
	 * @return the status
	 */
	public static BatchStatus fromTimes(BatchTimes times) {
		if (times.cancelledAt() != null) {
			return CANCELLED;
		}
		if (times.cancellingAt() != null) {
			return CANCELLING;
		}
		if (times.expiredAt() != null) {
			return EXPIRED;
		}
		if (times.failedAt() != null) {
			return FAILED;
		}
		if (times.completedAt() != null) {
			return COMPLETED;
		}
		if (times.finalizingAt() != null) {
			return FINALIZING;
		}
		return (times.inProgressAt() != null) ? IN_PROGRESS : VALIDATING;
	}

	/**
	 * Parses a wire name leniently: some OpenAI-compatible services capitalise statuses.
	 * @param value the wire value
	 * @return the status, or {@code null} when the value is not one
	 */
	public static @Nullable BatchStatus fromWire(@Nullable String value) {
		if (value == null) {
			return null;
		}
		String normalized = value.trim().toUpperCase(Locale.ROOT);
		if (normalized.equals("CANCELED")) {
			return CANCELLED;
		}
		if (normalized.equals("CANCELING")) {
			return CANCELLING;
		}
		for (BatchStatus status : values()) {
			if (status.name().equals(normalized)) {
				return status;
			}
		}
		return null;
	}

}
