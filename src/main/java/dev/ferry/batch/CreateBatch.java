package dev.ferry.batch;

import java.util.Map;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.node.ObjectNode;

/**
 * A validated request to create a batch on one provider.
 *
 * @param endpoint the endpoint every request targets
 * @param completionWindow the completion window
 * @param inputFileId the input file
 * @param model the model without any provider prefix, if given
 * @param metadata the caller's metadata
 * @param passthrough the caller's body without Ferry's own fields, so that fields Ferry
 * does not know still reach a provider of the same wire format
 */
public record CreateBatch(String endpoint, String completionWindow, String inputFileId, @Nullable String model,
		@Nullable Map<String, String> metadata, ObjectNode passthrough) {
}
