package dev.ferry.provider.sandbox;

import java.util.List;

import org.jspecify.annotations.Nullable;

import dev.ferry.batch.BatchError;

/**
 * What validating a sandbox batch's input found.
 *
 * @param total the number of requests
 * @param requestErrors how many requests will fail on their own (missing input)
 * @param model the model of the first request
 * @param errors batch-level errors that fail the whole batch, at most a few
 */
record Validation(long total, long requestErrors, @Nullable String model, List<BatchError> errors) {

	boolean failed() {
		return !this.errors.isEmpty();
	}

}
