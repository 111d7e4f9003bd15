/**
 * The OpenAI Files and Batch API, and the family of services that speak it with their own
 * quirks.
 */
@NullMarked
package dev.ferry.provider.openai;

import org.jspecify.annotations.NullMarked;
