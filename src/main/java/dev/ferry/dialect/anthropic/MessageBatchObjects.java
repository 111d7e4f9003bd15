package dev.ferry.dialect.anthropic;

import java.time.Instant;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

import dev.ferry.batch.Batch;
import dev.ferry.batch.BatchStatus;
import dev.ferry.batch.BatchTimes;
import dev.ferry.batch.RequestCounts;

/**
 * Writes canonical batches of other providers as Anthropic's {@code MessageBatch}, for
 * the Anthropic dialect.
 */
final class MessageBatchObjects {

	private MessageBatchObjects() {
	}

	/**
	 * Anthropic's {@code MessageBatch} for a batch of another provider: only Anthropic's
	 * statuses, counts that stay in {@code processing} until the batch has ended, as
	 * Anthropic's do.
	 * @param batch the batch
	 * @param id the id to show, minted by Ferry
	 * @param resultsUrl where Ferry serves the results
	 * @return the MessageBatch
	 */
	static ObjectNode batchToWire(Batch batch, String id, String resultsUrl) {
		ObjectNode node = JsonNodeFactory.instance.objectNode();
		boolean ended = batch.status().isTerminal();
		RequestCounts counts = batch.requestCounts();
		node.put("id", id);
		node.put("type", "message_batch");
		node.put("processing_status",
				ended ? "ended" : (batch.status() == BatchStatus.CANCELLING) ? "canceling" : "in_progress");
		ObjectNode wireCounts = node.putObject("request_counts");
		long errored = (batch.status() == BatchStatus.FAILED) ? counts.total()
				: Math.max(0, counts.failed() - counts.expired() - counts.canceled());
		wireCounts.put("processing", ended ? 0 : counts.total());
		wireCounts.put("succeeded", ended ? counts.succeeded() : 0);
		wireCounts.put("errored", ended ? errored : 0);
		wireCounts.put("canceled", ended ? counts.canceled() : 0);
		wireCounts.put("expired", ended ? counts.expired() : 0);
		BatchTimes times = batch.times();
		node.put("created_at", rfc3339(times.createdAt()));
		node.put("expires_at", rfc3339((times.expiresAt() != null) ? times.expiresAt() : times.createdAt() + 86_400));
		node.put("ended_at",
				ended ? rfc3339(
						firstNonNull(times.completedAt(), times.failedAt(), times.expiredAt(), times.cancelledAt()))
						: null);
		node.put("cancel_initiated_at", rfc3339(times.cancellingAt()));
		node.putNull("archived_at");
		node.put("results_url", ended ? resultsUrl : null);
		return node;
	}

	private static @Nullable String rfc3339(@Nullable Long seconds) {
		return (seconds != null) ? Instant.ofEpochSecond(seconds).toString() : null;
	}

	private static @Nullable Long firstNonNull(@Nullable Long... values) {
		for (Long value : values) {
			if (value != null) {
				return value;
			}
		}
		return null;
	}

}
