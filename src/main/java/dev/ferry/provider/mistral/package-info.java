/**
 * Mistral's batch jobs: one model per job, request lines without {@code model}, and
 * OpenAI-shaped output and error files.
 */
@NullMarked
package dev.ferry.provider.mistral;

import org.jspecify.annotations.NullMarked;
