/**
 * Idempotent creates: an {@code Idempotency-Key} makes a retried create return the first
 * outcome instead of creating, and billing, a second batch.
 */
@NullMarked
package dev.ferry.idempotency;

import org.jspecify.annotations.NullMarked;
