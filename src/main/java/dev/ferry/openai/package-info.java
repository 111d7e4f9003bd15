/**
 * The OpenAI wire format: the OpenAI-compatible dialect and the OpenAI provider.
 */
@NullMarked
package dev.ferry.openai;

import org.jspecify.annotations.NullMarked;
