/**
 * OpenRouter's batches: requests sent inline in a body streamed in the order OpenRouter
 * parses it, results read inline from the batch object.
 */
@NullMarked
package dev.ferry.provider.openrouter;

import org.jspecify.annotations.NullMarked;
