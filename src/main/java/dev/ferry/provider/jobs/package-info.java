/**
 * Providers whose batches are jobs in a shape of their own (Mistral, xAI, OpenRouter):
 * Ferry holds the caller's OpenAI input files, checks every line before anything goes
 * upstream, submits the requests in the provider's shape, maps the job onto the canonical
 * batch, and serves its results as OpenAI output and error files.
 */
@NullMarked
package dev.ferry.provider.jobs;

import org.jspecify.annotations.NullMarked;
