package dev.ferry.dialect.unified;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.annotation.JsonNaming;
import tools.jackson.databind.util.RawValue;

/**
 * One page of a batch's results.
 *
 * @param batchId the batch, as the caller named it
 * @param results the items' JSON, each with {@code custom_id} and what the provider's
 * format carries of {@code response}, {@code result} and {@code error}
 * @param hasMore whether more items follow
 * @param nextCursor where the next page starts; absent on the last page
 * @param extraFields which provider answered
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
record UnifiedResultsPage(String batchId, List<RawValue> results, boolean hasMore,
		@JsonInclude(JsonInclude.Include.NON_NULL) @Nullable String nextCursor, ExtraFields extraFields) {
}
