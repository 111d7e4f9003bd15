/**
 * The unified Ferry API: one batch and file shape for every provider.
 */
@NullMarked
package dev.ferry.unified;

import org.jspecify.annotations.NullMarked;
