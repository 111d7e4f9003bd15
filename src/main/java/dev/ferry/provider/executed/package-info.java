/**
 * Batches Ferry runs itself, on providers with only a synchronous API: the batch is
 * planned as chunks in the blob store, replicas claim chunks with leases, call the
 * provider line by line within its limits, and commit each chunk's results whole.
 */
@NullMarked
package dev.ferry.provider.executed;

import org.jspecify.annotations.NullMarked;
