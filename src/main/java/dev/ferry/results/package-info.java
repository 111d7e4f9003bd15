/**
 * Batch results: JSONL framing with bounded memory, the paging operator, signed cursors
 * and the result spool.
 */
@NullMarked
package dev.ferry.results;

import org.jspecify.annotations.NullMarked;
