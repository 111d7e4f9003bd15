package dev.ferry.batch;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * The outcome of deleting a batch.
 *
 * @param id the batch id
 * @param deleted whether it was deleted
 * @param rawResponse the provider's own response, if it has a batch delete
 */
public record BatchDeleted(String id, boolean deleted, @Nullable JsonNode rawResponse) {
}
