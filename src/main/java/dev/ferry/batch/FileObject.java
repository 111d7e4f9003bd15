package dev.ferry.batch;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * A file held by a provider: batch input, output or error file.
 *
 * @param id the provider's file id
 * @param provider the provider name
 * @param bytes the size in bytes
 * @param createdAt when it was created, in Unix seconds
 * @param expiresAt when it expires, in Unix seconds, if it does
 * @param filename the file name
 * @param purpose the purpose, such as {@code batch} or {@code batch_output}
 * @param status the provider's file status, such as {@code processed}
 * @param rawResponse the provider's own response, if it came over the wire
 */
public record FileObject(String id, String provider, long bytes, long createdAt, @Nullable Long expiresAt,
		String filename, String purpose, @Nullable String status, @Nullable JsonNode rawResponse) {
}
