package dev.ferry.batch;

import java.util.List;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * One page of a provider's batches, newest first.
 *
 * @param data the batches
 * @param firstId the id of the first batch on the page
 * @param lastId the id of the last batch on the page: pass it as {@code after} for the
 * next page
 * @param hasMore whether more batches follow
 * @param rawResponse the provider's own response, if it came over the wire
 */
public record BatchPage(List<Batch> data, @Nullable String firstId, @Nullable String lastId, boolean hasMore,
		@Nullable JsonNode rawResponse) {
}
