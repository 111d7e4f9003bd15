/**
 * The upstreams: one package per provider family, each an adapter of the
 * {@link dev.ferry.batch.BatchProvider} SPI.
 */
@NullMarked
package dev.ferry.provider;

import org.jspecify.annotations.NullMarked;
