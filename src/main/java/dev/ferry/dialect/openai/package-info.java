/**
 * The OpenAI dialect (`/openai/v1`): OpenAI's Files and Batch API, byte-compatible, on
 * any provider.
 */
@NullMarked
package dev.ferry.dialect.openai;

import org.jspecify.annotations.NullMarked;
