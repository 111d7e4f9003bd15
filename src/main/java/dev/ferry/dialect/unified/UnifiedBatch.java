package dev.ferry.dialect.unified;

import java.util.List;
import java.util.Map;
import java.util.function.Function;

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

	/**
	 * The unified object of a batch.
	 * @param batch the batch
	 * @param extra the extra fields
	 * @param includeRaw whether to show the raw request and response
	 * @param resultsUrls Ferry's results link for a batch id: a batch with a
	 * {@code results_url} upstream gets Ferry's instead, so that a client following it
	 * stays on the gateway
	 * @return the object
	 */
	static UnifiedBatch of(Batch batch, ExtraFields extra, boolean includeRaw, Function<String, String> resultsUrls) {
		var times = batch.times();
		return new UnifiedBatch(batch.id(), "batch", batch.endpoint(), batch.model(), batch.inputFileId(),
				batch.completionWindow(), batch.status().wireName(), batch.processingStatus(), batch.requestCounts(),
				batch.metadata(), times.createdAt(), times.inProgressAt(), times.expiresAt(), times.finalizingAt(),
				times.completedAt(), times.failedAt(), times.expiredAt(), times.cancellingAt(), times.cancelledAt(),
				times.archivedAt(), batch.outputFileId(), batch.errorFileId(),
				batch.errors().isEmpty() ? null : new Errors("list", batch.errors()),
				(batch.resultsUrl() != null) ? resultsUrls.apply(batch.id()) : null, batch.usage(), extra,
				includeRaw ? batch.rawRequest() : null, includeRaw ? batch.rawResponse() : null);
	}

}
