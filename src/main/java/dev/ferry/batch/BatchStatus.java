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
