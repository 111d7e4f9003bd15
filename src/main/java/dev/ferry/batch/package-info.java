/**
 * The canonical batch model, the provider SPI, provider resolution and the batch service.
 */
@NullMarked
package dev.ferry.batch;

import org.jspecify.annotations.NullMarked;
