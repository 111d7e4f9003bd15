package dev.ferry.upstream;

import java.net.ConnectException;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.netty.internal.shaded.reactor.pool.PoolAcquirePendingLimitException;
import reactor.test.StepVerifier;

import dev.ferry.batch.ApiError;
import dev.ferry.config.ProviderProperties;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.web.reactive.function.client.WebClientRequestException;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The retry policy, on virtual time: which failures are retried, after how long, and how
 * often.
 */
class UpstreamRetriesTests {

	private static final Duration FIRST = Duration.ofSeconds(1);

	private final UpstreamRetries retries = new UpstreamRetries("p",
			new ProviderProperties.Retry(3, FIRST, Duration.ofSeconds(10)));

	private final AtomicInteger attempts = new AtomicInteger();

	@Test
	void backsOffExponentiallyWithJitterThenHandsOverTheLastFailure() {
		StepVerifier.withVirtualTime(() -> this.retries.idempotent(failing(upstream(503, null))))
			.expectSubscription()
			.then(() -> assertThat(this.attempts).hasValue(1))
			// The first retry waits between half the first backoff and all of it: 0.5-1
			// s.
			.thenAwait(Duration.ofMillis(499))
			.then(() -> assertThat(this.attempts).hasValue(1))
			.thenAwait(Duration.ofMillis(501))
			.then(() -> assertThat(this.attempts).hasValue(2))
			// The second waits 1-2 s more, so comes between 1.5 s and 3 s.
			.thenAwait(Duration.ofMillis(499))
			.then(() -> assertThat(this.attempts).hasValue(2))
			.thenAwait(Duration.ofMillis(1501))
			.then(() -> assertThat(this.attempts).hasValue(3))
			.expectErrorSatisfies((error) -> assertThat(((ApiError) error).status()).isEqualTo(503))
			.verify(Duration.ofSeconds(5));
		assertThat(this.attempts).hasValue(3);
	}

	@Test
	void waitsExactlyAsLongAsRetryAfterAsks() {
		StepVerifier
			.withVirtualTime(() -> this.retries.idempotent(failing(upstream(429, Duration.ofSeconds(7))))
				.onErrorResume((error) -> Mono.empty()))
			.expectSubscription()
			.thenAwait(Duration.ofMillis(6999))
			.then(() -> assertThat(this.attempts).hasValue(1))
			.thenAwait(Duration.ofMillis(1))
			.then(() -> assertThat(this.attempts).hasValue(2))
			.thenAwait(Duration.ofSeconds(7))
			.verifyComplete();
		assertThat(this.attempts).hasValue(3);
	}

	@Test
	void aRetryAfterLongerThanTheLongestBackoffIsTheCallersToHonour() {
		StepVerifier.withVirtualTime(() -> this.retries.idempotent(failing(upstream(429, Duration.ofSeconds(60)))))
			.expectSubscription()
			.expectErrorSatisfies((error) -> assertThat(((ApiError) error).retryAfter()).hasSeconds(60))
			.verify(Duration.ofSeconds(5));
		assertThat(this.attempts).hasValue(1);
	}

	@Test
	void recoversWhenALaterAttemptSucceeds() {
		Mono<String> flaky = Mono
			.defer(() -> (this.attempts.incrementAndGet() < 3) ? Mono.error(upstream(502, null)) : Mono.just("batch"));
		StepVerifier.withVirtualTime(() -> this.retries.idempotent(flaky))
			.expectSubscription()
			.thenAwait(Duration.ofSeconds(3))
			.expectNext("batch")
			.verifyComplete();
		assertThat(this.attempts).hasValue(3);
	}

	@Test
	void connectFailuresAreRetried() {
		StepVerifier.withVirtualTime(() -> this.retries.idempotent(failing(connectFailure())))
			.expectSubscription()
			.thenAwait(Duration.ofSeconds(3))
			.expectError(WebClientRequestException.class)
			.verify(Duration.ofSeconds(5));
		assertThat(this.attempts).hasValue(3);
	}

	@Test
	void refusalsAndFerrysOwnErrorsAreNotRetried() {
		for (Throwable failure : new Throwable[] { upstream(400, null), upstream(500, null),
				new ApiError(502, "api_error", "foreign_results_url", "Ferry's own", null, null),
				new WebClientRequestException(new PoolAcquirePendingLimitException(1), HttpMethod.GET,
						URI.create("http://upstream/"), new HttpHeaders()) }) {
			this.attempts.set(0);
			StepVerifier.create(this.retries.idempotent(failing(failure))).expectError().verify(Duration.ofSeconds(5));
			assertThat(this.attempts).as(failure.getMessage()).hasValue(1);
		}
	}

	@Test
	void createsAreNeverRetriedWithoutAnIdempotencyKey() {
		StepVerifier.create(this.retries.creating(failing(upstream(503, null)), false))
			.expectError()
			.verify(Duration.ofSeconds(5));
		assertThat(this.attempts).hasValue(1);
	}

	@Test
	void createsWithAnIdempotencyKeyAreRetriedOnlyWhenTheUpstreamCertainlyDidNothing() {
		StepVerifier.withVirtualTime(() -> this.retries.creating(failing(upstream(503, null)), true))
			.expectSubscription()
			.thenAwait(Duration.ofSeconds(3))
			.expectError()
			.verify(Duration.ofSeconds(5));
		assertThat(this.attempts).hasValue(3);
		// A 502 or 504 may come after the upstream created the batch: never repeated.
		for (int status : new int[] { 502, 504 }) {
			this.attempts.set(0);
			StepVerifier.create(this.retries.creating(failing(upstream(status, null)), true))
				.expectError()
				.verify(Duration.ofSeconds(5));
			assertThat(this.attempts).as("status " + status).hasValue(1);
		}
	}

	private Mono<String> failing(Throwable failure) {
		return Mono.defer(() -> {
			this.attempts.incrementAndGet();
			return Mono.error(failure);
		});
	}

	private static ApiError upstream(int status, Duration retryAfter) {
		return new ApiError(status, "api_error", null, "upstream says " + status, null, "p")
			.answeredByUpstream(retryAfter);
	}

	private static WebClientRequestException connectFailure() {
		return new WebClientRequestException(new ConnectException("Connection refused"), HttpMethod.GET,
				URI.create("http://upstream/"), new HttpHeaders());
	}

}
