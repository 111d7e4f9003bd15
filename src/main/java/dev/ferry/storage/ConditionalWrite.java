package dev.ferry.storage;

import org.jspecify.annotations.Nullable;

/**
 * How a conditional write went. Losing is an answer, not an error: errors (an outage, a
 * refused request) fail the write instead.
 *
 * @param outcome what happened
 * @param version the new version, when this write {@link Outcome#WON won}
 */
public record ConditionalWrite(Outcome outcome, @Nullable BlobVersion version) {

	private static final ConditionalWrite LOST = new ConditionalWrite(Outcome.LOST, null);

	private static final ConditionalWrite MISSING = new ConditionalWrite(Outcome.MISSING, null);

	public static ConditionalWrite won(BlobVersion version) {
		return new ConditionalWrite(Outcome.WON, version);
	}

	public static ConditionalWrite lost() {
		return LOST;
	}

	public static ConditionalWrite missing() {
		return MISSING;
	}

	public boolean won() {
		return this.outcome == Outcome.WON;
	}

	/** What a conditional write found. */
	public enum Outcome {

		/** The blob was written. */
		WON,

		/**
		 * Somebody else won: a create found the key taken, or a compare-and-swap found
		 * another version.
		 */
		LOST,

		/** A compare-and-swap found no blob at all. */
		MISSING

	}

}
