/**
 * Holding up against upstream trouble: retries of calls that are safe to repeat, load
 * shedding when a provider's connection pool is full, and one shared upstream call for
 * many pollers of the same batch.
 */
@NullMarked
package dev.ferry.upstream;

import org.jspecify.annotations.NullMarked;
