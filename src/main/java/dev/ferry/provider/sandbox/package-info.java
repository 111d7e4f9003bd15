/**
 * The in-process simulated provider, the embedded default.
 */
@NullMarked
package dev.ferry.provider.sandbox;

import org.jspecify.annotations.NullMarked;
