/**
 * What each team spent: the requests and tokens of every ended batch a gateway key
 * created, recorded once however many replicas see it end, priced from the price table,
 * and counted for Prometheus and {@code GET /v1/usage}.
 */
@NullMarked
package dev.ferry.usage;

import org.jspecify.annotations.NullMarked;
