/**
 * Start-up: the warm-up a replica runs before its readiness probe answers, so that its
 * first traffic meets compiled code.
 */
@NullMarked
package dev.ferry.warmup;

import org.jspecify.annotations.NullMarked;
