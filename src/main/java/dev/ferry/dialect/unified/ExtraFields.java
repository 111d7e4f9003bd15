package dev.ferry.dialect.unified;

import com.fasterxml.jackson.annotation.JsonInclude;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.annotation.JsonNaming;

/**
 * What Ferry adds to every unified response: which request it was, which provider
 * answered, the model asked for, and how long the provider took.
 *
 * @param requestType the operation, such as {@code batch_create}
 * @param provider the provider name
 * @param modelRequested the model as the caller wrote it, for creates
 * @param latency milliseconds from Ferry's call to the provider's answer
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ExtraFields(String requestType, @Nullable String provider, @Nullable String modelRequested,
		@Nullable Long latency) {
}
