package dev.ferry.batch;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * The outcome of a file deletion.
 *
 * @param id the file id
 * @param deleted whether the file was deleted
 * @param rawResponse the provider's own response, if it came over the wire
 */
public record FileDeleted(String id, boolean deleted, @Nullable JsonNode rawResponse) {
}
