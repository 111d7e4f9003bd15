package dev.ferry.batch;

import java.util.Map;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.node.ArrayNode;

/**
 * A validated request to create a batch from inline requests, for a provider that takes
 * them itself.
 *
 * @param endpoint the endpoint every request targets
 * @param completionWindow the completion window
 * @param model the model without any provider prefix, set on requests that name none
 * @param requests the inline requests, {@code {custom_id, params|body}} each, already
 * checked
 * @param metadata the caller's metadata
 */
public record InlineBatch(String endpoint, String completionWindow, @Nullable String model, ArrayNode requests,
		@Nullable Map<String, String> metadata) {
}
