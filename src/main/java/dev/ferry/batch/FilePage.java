package dev.ferry.batch;

import java.util.List;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * One page of a provider's files.
 *
 * @param data the files
 * @param firstId the id of the first file on the page
 * @param lastId the id of the last file on the page
 * @param hasMore whether more files follow
 * @param rawResponse the provider's own response, if it came over the wire
 */
public record FilePage(List<FileObject> data, @Nullable String firstId, @Nullable String lastId, boolean hasMore,
		@Nullable JsonNode rawResponse) {
}
