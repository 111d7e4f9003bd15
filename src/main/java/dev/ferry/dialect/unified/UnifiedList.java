package dev.ferry.dialect.unified;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.annotation.JsonNaming;

/**
 * A page of a unified list; pass {@code last_id} as {@code after} for the next page.
 *
 * @param <T> the item type
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_NULL)
record UnifiedList<T>(String object, List<T> data, @Nullable String firstId, @Nullable String lastId, boolean hasMore,
		ExtraFields extraFields, @Nullable JsonNode rawResponse) {
}
