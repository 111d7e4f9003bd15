/**
 * The unified Ferry API (`/v1`): one batch and file shape for every provider.
 */
@NullMarked
package dev.ferry.dialect.unified;

import org.jspecify.annotations.NullMarked;
