package dev.ferry.provider.sandbox;

import java.util.Map;

import org.jspecify.annotations.Nullable;

/**
 * What a sandbox batch was created with, as kept in the blob store; everything else about
 * it follows from this, the clock and its input.
 *
 * @param id the batch id
 * @param endpoint the endpoint of its requests
 * @param inputFileId its input file
 * @param completionWindow the window asked for
 * @param metadata the caller's metadata
 * @param createdAt when it was created, in epoch milliseconds; also the listing order
 */
record SandboxBatchRecord(String id, String endpoint, String inputFileId, String completionWindow,
		@Nullable Map<String, String> metadata, long createdAt) {

}
