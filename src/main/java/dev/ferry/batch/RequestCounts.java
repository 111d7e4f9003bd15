package dev.ferry.batch;

/**
 * How a batch's requests stand.
 *
 * <p>
 * {@code completed} follows OpenAI: requests that succeeded, so it equals
 * {@code succeeded}. {@code failed} counts every request that will not succeed, expired
 * and canceled ones included; {@code expired} and {@code canceled} break it down where
 * the provider says. {@code pending} is what is left to run.
 *
 * @param total every request in the batch
 * @param completed requests that succeeded (OpenAI's meaning)
 * @param failed requests that did not succeed
 * @param succeeded requests that succeeded
 * @param expired requests that expired before they ran
 * @param canceled requests canceled before they ran
 * @param pending requests still to run
 */
public record RequestCounts(long total, long completed, long failed, long succeeded, long expired, long canceled,
		long pending) {

	/** No requests known yet. */
	public static final RequestCounts NONE = new RequestCounts(0, 0, 0, 0, 0, 0, 0);

	/**
	 * Counts from OpenAI's three numbers.
	 * @param total every request
	 * @param completed the requests that succeeded
	 * @param failed the requests that did not
	 * @return the counts, with {@code pending} derived
	 */
	public static RequestCounts of(long total, long completed, long failed) {
		return new RequestCounts(total, completed, failed, completed, 0, 0, Math.max(0, total - completed - failed));
	}

}
