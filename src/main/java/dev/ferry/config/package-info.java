/**
 * Typed, validated configuration under the {@code ferry} prefix.
 */
@NullMarked
package dev.ferry.config;

import org.jspecify.annotations.NullMarked;
