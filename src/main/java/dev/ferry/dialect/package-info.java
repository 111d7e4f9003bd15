/**
 * The HTTP surfaces callers speak, and what they share: the route table, error rendering,
 * body and parameter checks.
 */
@NullMarked
package dev.ferry.dialect;

import org.jspecify.annotations.NullMarked;
