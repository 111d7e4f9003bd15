/**
 * The Anthropic dialect (`/anthropic`): Anthropic's Message Batches API, byte-compatible,
 * on any provider.
 */
@NullMarked
package dev.ferry.dialect.anthropic;

import org.jspecify.annotations.NullMarked;
