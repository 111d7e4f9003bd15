/**
 * Ferry, a reactive LLM batch gateway.
 */
@NullMarked
package dev.ferry;

import org.jspecify.annotations.NullMarked;
