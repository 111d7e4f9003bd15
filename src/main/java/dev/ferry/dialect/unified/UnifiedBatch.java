package dev.ferry.dialect.unified;

import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonInclude;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.annotation.JsonNaming;

import dev.ferry.batch.Batch;
import dev.ferry.batch.BatchError;
import dev.ferry.batch.RequestCounts;

/**
 * The unified batch object: one shape for every provider, with each field present where
 * the provider has it.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_NULL)
record UnifiedBatch(String id, String object, String endpoint, @Nullable String model, @Nullable String inputFileId,
		@Nullable String completionWindow, String status, @Nullable String processingStatus,
		RequestCounts requestCounts, @Nullable Map<String, String> metadata, long createdAt,
		@Nullable Long inProgressAt, @Nullable Long expiresAt, @Nullable Long finalizingAt, @Nullable Long completedAt,
		@Nullable Long failedAt, @Nullable Long expiredAt, @Nullable Long cancellingAt, @Nullable Long cancelledAt,
		@Nullable Long archivedAt, @Nullable String outputFileId, @Nullable String errorFileId, @Nullable Errors errors,
		@Nullable String resultsUrl, @Nullable JsonNode usage, ExtraFields extraFields, @Nullable JsonNode rawRequest,
		@Nullable JsonNode rawResponse) {

	/** Batch-level errors, in OpenAI's list shape. */
	record Errors(String object, List<BatchError> data) {
	}

	static UnifiedBatch of(Batch batch, ExtraFields extra, boolean includeRaw) {
		var times = batch.times();
		return new UnifiedBatch(batch.id(), "batch", batch.endpoint(), batch.model(), batch.inputFileId(),
				batch.completionWindow(), batch.status().wireName(), batch.processingStatus(), batch.requestCounts(),
				batch.metadata(), times.createdAt(), times.inProgressAt(), times.expiresAt(), times.finalizingAt(),
				times.completedAt(), times.failedAt(), times.expiredAt(), times.cancellingAt(), times.cancelledAt(),
				times.archivedAt(), batch.outputFileId(), batch.errorFileId(),
				batch.errors().isEmpty() ? null : new Errors("list", batch.errors()), batch.resultsUrl(), batch.usage(),
				extra, includeRaw ? batch.rawRequest() : null, includeRaw ? batch.rawResponse() : null);
	}

}
