/**
 * The in-process simulated provider, the embedded default.
 */
@NullMarked
package dev.ferry.sandbox;

import org.jspecify.annotations.NullMarked;
