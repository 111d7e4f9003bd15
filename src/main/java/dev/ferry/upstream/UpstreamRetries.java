package dev.ferry.upstream;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Predicate;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.util.retry.Retry;

import dev.ferry.auth.CallerHeaders;
import dev.ferry.batch.ApiError;
import dev.ferry.config.ProviderProperties;

/**
 * One provider's retry policy. Calls that are safe to repeat are retried after transient
 * failures with jittered exponential backoff, waiting as long as the upstream's
 * {@code Retry-After} asks; calls that create something are repeated only when the
 * upstream certainly did not act on them.
 */
public final class UpstreamRetries {

	private static final Log logger = LogFactory.getLog(UpstreamRetries.class);

	private final String provider;

	private final ProviderProperties.Retry settings;

	public UpstreamRetries(String provider, ProviderProperties.Retry settings) {
		this.provider = provider;
		this.settings = settings;
	}

	/**
	 * A call that is safe to repeat: retrieve, list, results, file content, cancel.
	 * @param <T> the result type
	 * @param call the call, subscribed once per attempt
	 * @return the call with retries
	 */
	public <T> Mono<T> idempotent(Mono<T> call) {
		return call.retryWhen(retry(UpstreamFailures::isTransient));
	}

	/**
	 * A call that creates something, which may be repeated only when the caller sent an
	 * {@code Idempotency-Key} and the upstream certainly did nothing with the failed
	 * attempt.
	 * @param <T> the result type
	 * @param call the call, subscribed once per attempt
	 * @return the call, with retries only when both hold
	 */
	public <T> Mono<T> creating(Mono<T> call) {
		return CallerHeaders.current().flatMap((caller) -> creating(call, caller.idempotencyKey().isPresent()));
	}

	<T> Mono<T> creating(Mono<T> call, boolean clientAskedForIdempotency) {
		if (!clientAskedForIdempotency) {
			return call;
		}
		return call.retryWhen(retry(
				(failure) -> UpstreamFailures.isTransient(failure) && UpstreamFailures.certainlyNotActedOn(failure)));
	}

	/**
	 * A create sent with an idempotency key the upstream honours: every transient failure
	 * may be retried, since a repeat of a create the upstream did act on returns the same
	 * batch.
	 * @param <T> the result type
	 * @param call the call, subscribed once per attempt, carrying the key
	 * @return the call with retries
	 */
	public <T> Mono<T> deduplicated(Mono<T> call) {
		return call.retryWhen(retry(UpstreamFailures::isTransient));
	}

	/**
	 * A call the upstream may refuse for a while without acting on it (a quota that
	 * refills), retried with the same backoff while it refuses so.
	 * @param <T> the result type
	 * @param call the call, subscribed once per attempt
	 * @param refusal the errors that mean the upstream refused and did nothing
	 * @return the call with retries of those refusals
	 */
	public <T> Mono<T> refusedThenRetried(Mono<T> call, Predicate<ApiError> refusal) {
		return call.retryWhen(retry((failure) -> failure instanceof ApiError error && refusal.test(error)));
	}

	private Retry retry(Predicate<Throwable> worthRetrying) {
		return Retry.from((signals) -> signals.concatMap((signal) -> {
			Throwable failure = signal.failure();
			long retriesSoFar = signal.totalRetries();
			if (!worthRetrying.test(failure) || retriesSoFar + 1 >= this.settings.maxAttempts()) {
				return Flux.error(failure);
			}
			Duration wait = waitBefore(failure, retriesSoFar);
			if (wait == null) {
				return Flux.error(failure);
			}
			logger.debug("Retrying a call to provider '" + this.provider + "' in " + wait.toMillis() + " ms after: "
					+ failure.getMessage());
			return Mono.delay(wait).thenReturn(retriesSoFar);
		}));
	}

	/**
	 * The upstream's {@code Retry-After} when it sent one, else the exponential backoff
	 * less up to half of it at random, so that many callers do not retry in step.
	 * @return the wait, or {@code null} when the upstream asked for longer than the
	 * longest wait and the caller should hear its answer now
	 */
	@Nullable Duration waitBefore(Throwable failure, long retriesSoFar) {
		if (failure instanceof ApiError error && error.retryAfter() != null) {
			Duration asked = error.retryAfter();
			return (asked.compareTo(this.settings.maxBackoff()) <= 0) ? asked : null;
		}
		long doubling = 1L << Math.min(retriesSoFar, 20);
		long backoff = Math.min(this.settings.maxBackoff().toMillis(),
				Math.multiplyExact(Math.max(1, this.settings.firstBackoff().toMillis()), doubling));
		long jitter = ThreadLocalRandom.current().nextLong(backoff / 2 + 1);
		return Duration.ofMillis(backoff - jitter);
	}

}
