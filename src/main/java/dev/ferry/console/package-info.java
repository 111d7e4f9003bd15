/**
 * The batch console at {@code /console}: static pages in the jar that call the unified
 * API with the signed-in gateway key, and the two calls of its own they need (who is
 * signed in, and which batches gateway keys created across providers).
 */
@NullMarked
package dev.ferry.console;

import org.jspecify.annotations.NullMarked;
