package dev.ferry.provider.executed;

import java.time.Duration;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * How Ferry runs batches itself, under {@code ferry.executed}.
 *
 * @param chunkSize the lines of one chunk: the unit replicas claim and commit
 * @param leaseDuration how long a chunk stays claimed without a renewal before another
 * replica takes it over
 * @param pollInterval how often each replica looks for chunks to run, and how soon a
 * cancel is seen
 * @param maxAttempts the most calls of one line after 5xx answers or timeouts, the first
 * included; a 429 or 503 is waited out and not counted
 * @param longestBackoff the longest wait before a retry, whatever the upstream asks
 */
@Validated
@ConfigurationProperties("ferry.executed")
public record ExecutedProperties(@DefaultValue("100") @Min(1) @Max(10_000) int chunkSize,
		@DefaultValue("30s") Duration leaseDuration, @DefaultValue("500ms") Duration pollInterval,
		@DefaultValue("3") @Min(1) @Max(10) int maxAttempts, @DefaultValue("60s") Duration longestBackoff) {
}
