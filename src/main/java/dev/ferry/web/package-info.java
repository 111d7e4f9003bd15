/**
 * Cross-cutting web concerns: the internal error type, its per-dialect rendering,
 * upstream clients and request parameter checks.
 */
@NullMarked
package dev.ferry.web;

import org.jspecify.annotations.NullMarked;
