package dev.ferry.batch;

import org.jspecify.annotations.Nullable;

/**
 * A batch's timestamps, in Unix seconds; {@code null} where the batch has not reached
 * that point or the provider does not say.
 *
 * @param createdAt when the batch was created
 * @param inProgressAt when processing started
 * @param expiresAt when the batch expires
 * @param finalizingAt when results started being written
 * @param completedAt when the batch completed
 * @param failedAt when the batch failed
 * @param expiredAt when the batch expired
 * @param cancellingAt when cancellation was asked for
 * @param cancelledAt when the batch was cancelled
 * @param archivedAt when results stopped being available
 */
public record BatchTimes(long createdAt, @Nullable Long inProgressAt, @Nullable Long expiresAt,
		@Nullable Long finalizingAt, @Nullable Long completedAt, @Nullable Long failedAt, @Nullable Long expiredAt,
		@Nullable Long cancellingAt, @Nullable Long cancelledAt, @Nullable Long archivedAt) {
}
