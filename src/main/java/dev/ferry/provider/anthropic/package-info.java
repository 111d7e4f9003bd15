/**
 * Anthropic's Message Batches API, with the files, metadata and result files Anthropic
 * does not have.
 */
@NullMarked
package dev.ferry.provider.anthropic;

import org.jspecify.annotations.NullMarked;
