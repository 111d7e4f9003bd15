/**
 * Fireworks' batch inference jobs: the requests uploaded as a dataset under the
 * configured account, the results read from the output dataset's files.
 */
@NullMarked
package dev.ferry.provider.fireworks;

import org.jspecify.annotations.NullMarked;
