package dev.ferry.upstream;

import java.net.ConnectException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.TimeoutException;

import io.netty.handler.timeout.ReadTimeoutException;
import reactor.netty.http.client.PrematureCloseException;
import reactor.netty.internal.shaded.reactor.pool.PoolAcquirePendingLimitException;
import reactor.netty.internal.shaded.reactor.pool.PoolAcquireTimeoutException;

import dev.ferry.batch.ApiError;

/**
 * What a failed upstream call tells about the upstream: whether it was only briefly
 * unable, and whether the request can have had any effect there.
 */
public final class UpstreamFailures {

	/** The statuses with which an upstream says "not now" rather than "no". */
	private static final Set<Integer> TRANSIENT_STATUSES = Set.of(429, 502, 503, 504);

	/** What a caller is told to wait when Ferry sheds load. */
	private static final Duration OVERLOADED_WAIT = Duration.ofSeconds(1);

	private UpstreamFailures() {
	}

	/**
	 * Whether a call that is safe to repeat is worth repeating after this failure.
	 * @param failure the failure
	 * @return true for connect failures, connections closed before an answer and upstream
	 * 429, 502, 503 and 504 answers
	 */
	public static boolean isTransient(Throwable failure) {
		if (failure instanceof ApiError error) {
			return error.isUpstreamAnswer() && TRANSIENT_STATUSES.contains(error.status());
		}
		return !isPoolSaturated(failure) && (hasCause(failure, ConnectException.class)
				|| hasCause(failure, UnknownHostException.class) || hasCause(failure, PrematureCloseException.class));
	}

	/**
	 * Whether the upstream certainly did nothing with the request, so that even a create
	 * may be sent again without risking a second batch.
	 * @param failure the failure
	 * @return true when the call was refused (any 4xx, Ferry's or the upstream's), no
	 * connection was made, the pool shed the call, or the upstream answered 503
	 */
	public static boolean certainlyNotActedOn(Throwable failure) {
		if (isPoolSaturated(failure) || hasCause(failure, ConnectException.class)
				|| hasCause(failure, UnknownHostException.class)) {
			return true;
		}
		return failure instanceof ApiError error
				&& (error.status() < 500 || (error.isUpstreamAnswer() && error.status() == 503));
	}

	/**
	 * Whether the failure is the provider's connection pool refusing a call because too
	 * many are waiting, or one waited too long.
	 * @param failure the failure
	 * @return true when Ferry shed the call before it went upstream
	 */
	public static boolean isPoolSaturated(Throwable failure) {
		return hasCause(failure, PoolAcquirePendingLimitException.class)
				|| hasCause(failure, PoolAcquireTimeoutException.class);
	}

	/**
	 * Whether the upstream accepted the connection but did not answer in time.
	 * @param failure the failure
	 * @return true for a response or read timeout
	 */
	public static boolean isTimeout(Throwable failure) {
		return hasCause(failure, TimeoutException.class) || hasCause(failure, ReadTimeoutException.class);
	}

	/**
	 * The 503 for a call shed because the provider's pool is saturated.
	 * @return the error, with a short {@code Retry-After}
	 */
	public static ApiError overloaded() {
		return new ApiError(503, "overloaded_error", "overloaded",
				"Ferry is overloaded: too many calls are waiting for this provider; retry shortly", null, null)
			.withRetryAfter(OVERLOADED_WAIT);
	}

	private static boolean hasCause(Throwable failure, Class<? extends Throwable> type) {
		for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
			if (type.isInstance(cause)) {
				return true;
			}
			if (cause.getCause() == cause) {
				break;
			}
		}
		return false;
	}

}
