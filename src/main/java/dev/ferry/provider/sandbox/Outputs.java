package dev.ferry.provider.sandbox;

import org.jspecify.annotations.Nullable;

/**
 * The exact outcome of a finished sandbox batch, counted by generating its output once.
 *
 * @param succeeded requests in the output file
 * @param failed requests in the error file, canceled ones included
 * @param canceled requests canceled before they ran
 * @param outputFileId the output file, if any request succeeded
 * @param errorFileId the error file, if any request failed
 */
record Outputs(long succeeded, long failed, long canceled, @Nullable String outputFileId,
		@Nullable String errorFileId) {
}
