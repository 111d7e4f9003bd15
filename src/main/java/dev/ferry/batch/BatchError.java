package dev.ferry.batch;

import org.jspecify.annotations.Nullable;

/**
 * A batch-level error, such as an input line that failed validation.
 *
 * @param code a machine-readable code
 * @param message what was wrong
 * @param param the offending parameter, if any
 * @param line the 1-based input line, if the error is about one
 */
public record BatchError(String code, String message, @Nullable String param, @Nullable Long line) {
}
