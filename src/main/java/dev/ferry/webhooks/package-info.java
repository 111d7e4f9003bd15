/**
 * Signed completion webhooks: the batches Ferry created are watched until they end, and
 * an event for each goes to every matching endpoint, at least once, from a queue in the
 * shared blob store.
 */
@NullMarked
package dev.ferry.webhooks;

import org.jspecify.annotations.NullMarked;
