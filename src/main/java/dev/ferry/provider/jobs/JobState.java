package dev.ferry.provider.jobs;

import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

import dev.ferry.batch.BatchError;
import dev.ferry.batch.BatchStatus;
import dev.ferry.batch.BatchTimes;
import dev.ferry.batch.RequestCounts;

/**
 * A provider's job as the canonical batch sees it.
 *
 * @param status the status in OpenAI's vocabulary
 * @param nativeStatus the provider's own status, or what it was derived from
 * @param counts how the requests stand
 * @param times the timestamps
 * @param errors batch-level errors
 * @param endpoint the endpoint the job runs, where the job says
 * @param model the model, where the job says
 * @param metadata metadata the job carries, where the provider keeps it
 * @param usage token usage, where the provider reports it
 */
public record JobState(BatchStatus status, String nativeStatus, RequestCounts counts, BatchTimes times,
		List<BatchError> errors, @Nullable String endpoint, @Nullable String model,
		@Nullable Map<String, String> metadata, @Nullable JsonNode usage) {

	/**
	 * OpenAI-style counts from a job's own: requests a job that has ended never ran are
	 * counted as failed, as expired or cancelled as well when it ended so, and as pending
	 * while it runs.
	 * @param status the job's status
	 * @param total every request
	 * @param succeeded the requests that succeeded
	 * @param failed the requests that failed
	 * @param processed the requests that ran, at least {@code succeeded + failed}
	 * @return the counts
	 */
	public static RequestCounts counts(BatchStatus status, long total, long succeeded, long failed, long processed) {
		long notRun = Math.max(0, total - processed);
		long unrun = status.isTerminal() ? notRun : 0;
		return new RequestCounts(total, succeeded, failed + unrun, succeeded,
				(status == BatchStatus.EXPIRED) ? unrun : 0, (status == BatchStatus.CANCELLED) ? unrun : 0,
				status.isTerminal() ? 0 : notRun);
	}

	/**
	 * This state with the time a cancel was asked for, for providers whose job does not
	 * say.
	 * @param at the time, in Unix seconds
	 * @return a copy
	 */
	JobState cancellingAt(long at) {
		BatchTimes t = this.times;
		return new JobState(this.status, this.nativeStatus, this.counts,
				new BatchTimes(t.createdAt(), t.inProgressAt(), t.expiresAt(), t.finalizingAt(), t.completedAt(),
						t.failedAt(), t.expiredAt(), at, t.cancelledAt(), t.archivedAt()),
				this.errors, this.endpoint, this.model, this.metadata, this.usage);
	}

}
