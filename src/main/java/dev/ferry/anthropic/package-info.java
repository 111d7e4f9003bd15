/**
 * Anthropic's Message Batches wire format and the Anthropic provider.
 */
@NullMarked
package dev.ferry.anthropic;

import org.jspecify.annotations.NullMarked;
