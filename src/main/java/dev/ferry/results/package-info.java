/**
 * JSONL framing of byte streams into lines, with bounded memory.
 */
@NullMarked
package dev.ferry.results;

import org.jspecify.annotations.NullMarked;
