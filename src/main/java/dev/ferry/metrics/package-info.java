/**
 * Metrics: request tags and gauges that Spring Boot's own metrics do not carry.
 */
@NullMarked
package dev.ferry.metrics;

import org.jspecify.annotations.NullMarked;
