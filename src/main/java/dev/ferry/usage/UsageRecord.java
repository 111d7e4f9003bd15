package dev.ferry.usage;

import org.jspecify.annotations.Nullable;

/**
 * What one ended batch used, as recorded once: who created it, where it ran, and its
 * requests, tokens and cost.
 *
 * @param state {@code reading} while a replica reads the results (then only
 * {@code readingSince} counts), {@code recorded} once the figures are in
 * @param readingSince when the replica reading the results started, in epoch milliseconds
 * @param team the team that created the batch
 * @param key the gateway key that created it
 * @param provider the provider it ran on
 * @param batchId its id, as Ferry shows it
 * @param model its model
 * @param endedAt when Ferry recorded it, in Unix seconds
 * @param requests its result lines
 * @param inputTokens input tokens, cached ones included
 * @param outputTokens output tokens
 * @param cachedTokens cached input tokens
 * @param costUsd its cost from the price table, or {@code null} when the model has no
 * price
 */
record UsageRecord(String state, long readingSince, @Nullable String team, @Nullable String key,
		@Nullable String provider, @Nullable String batchId, @Nullable String model, long endedAt, long requests,
		long inputTokens, long outputTokens, long cachedTokens, @Nullable Double costUsd) {

	static final String READING = "reading";

	static final String RECORDED = "recorded";

	static UsageRecord reading(long since) {
		return new UsageRecord(READING, since, null, null, null, null, null, 0, 0, 0, 0, 0, null);
	}

	boolean recorded() {
		return RECORDED.equals(this.state);
	}

}
