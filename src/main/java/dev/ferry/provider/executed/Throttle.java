package dev.ferry.provider.executed;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import reactor.core.publisher.MonoSink;

/**
 * How fast this replica may call one provider for the batches Ferry runs. Three limits,
 * each the provider's setting less its headroom, shared evenly among the replicas whose
 * runners are alive:
 * <ul>
 * <li>requests in flight: the limit starts at the ceiling, halves when the provider
 * answers 429 or 503 (once per round: answers to requests sent before the last cut do not
 * cut again) and grows back by one for every {@code limit} good answers, so a rate limit
 * slows the batch down instead of failing its lines;</li>
 * <li>requests per minute: requests are spaced evenly, without bursts;</li>
 * <li>tokens per minute: each request takes its estimate from a bucket holding a minute's
 * tokens and refilled continuously, waiting while the bucket holds too few; the answer's
 * usage corrects the estimate, giving back what was not used.</li>
 * </ul>
 * The state is small and its critical sections short, so it is kept under a lock rather
 * than in a lock-free structure.
 */
final class Throttle {

	private static final long MINUTE = Duration.ofMinutes(1).toNanos();

	/** The longest a request waits for tokens before it looks at the bucket again. */
	private static final long LONGEST_TOKEN_WAIT = Duration.ofMillis(250).toNanos();

	private final int ceiling;

	private final long requestsPerMinute;

	private final long tokensPerMinute;

	private final IntSupplier replicas;

	private final LongSupplier nanos;

	private final ArrayDeque<Waiter> waiting = new ArrayDeque<>();

	private int limit;

	/** Good answers since the limit last changed. */
	private int good;

	private int inUse;

	private long cutAt = Long.MIN_VALUE;

	private long nextRequestAt = Long.MIN_VALUE;

	private double tokens;

	private long tokensAt;

	/**
	 * A throttle.
	 * @param maxConcurrency the provider's {@code max-concurrency}
	 * @param requestsPerMinute its {@code requests-per-minute}, 0 for none
	 * @param tokensPerMinute its {@code tokens-per-minute}, 0 for none
	 * @param headroomPercent the share of each limit left unused
	 * @param replicas how many replicas' runners share the limits now
	 * @param nanos a monotonic clock
	 */
	Throttle(int maxConcurrency, long requestsPerMinute, long tokensPerMinute, int headroomPercent,
			IntSupplier replicas, LongSupplier nanos) {
		double kept = (100 - headroomPercent) / 100.0;
		this.ceiling = Math.max(1, (int) Math.floor(maxConcurrency * kept));
		this.requestsPerMinute = (long) Math.floor(requestsPerMinute * kept);
		this.tokensPerMinute = (long) Math.floor(tokensPerMinute * kept);
		this.replicas = replicas;
		this.nanos = nanos;
		this.limit = this.ceiling;
		this.tokens = this.tokensPerMinute;
		this.tokensAt = nanos.getAsLong();
		if (requestsPerMinute > 0 && this.requestsPerMinute == 0 || tokensPerMinute > 0 && this.tokensPerMinute == 0) {
			throw new IllegalArgumentException("headroom-percent leaves no requests or tokens per minute");
		}
	}

	/** The most requests in flight, before any cut or share. */
	int ceiling() {
		return this.ceiling;
	}

	/** Whether requests should be estimated in tokens at all. */
	boolean countsTokens() {
		return this.tokensPerMinute > 0;
	}

	/**
	 * A place among the requests in flight, then a wait for the rate limits.
	 * @param estimatedTokens the request's estimated tokens, 0 when not counted
	 * @return the permit, to be released once the answer is in
	 */
	Mono<Permit> acquire(long estimatedTokens) {
		return slot(estimatedTokens).flatMap((permit) -> {
			long wait = reserveRequest();
			Mono<Void> paced = (wait > 0) ? Mono.delay(Duration.ofNanos(wait)).then() : Mono.empty();
			return paced.then(takeTokens(estimatedTokens)).thenReturn(permit);
		});
	}

	/**
	 * Waits until the bucket holds the request's tokens, and takes them. The wait is
	 * checked again every so often rather than booked ahead, so that the tokens answers
	 * give back (their usage below their estimate) shorten it.
	 */
	private Mono<Void> takeTokens(long estimatedTokens) {
		if (this.tokensPerMinute == 0) {
			return Mono.empty();
		}
		return Mono.defer(() -> {
			long wait = tryTake(estimatedTokens);
			return (wait == 0) ? Mono.empty() : Mono.delay(Duration.ofNanos(Math.min(wait, LONGEST_TOKEN_WAIT)))
				.then(takeTokens(estimatedTokens));
		});
	}

	/** The concurrency limit now, on this replica. */
	synchronized int limit() {
		return Math.min(this.limit, shareOf(this.ceiling));
	}

	/** Requests in flight now, on this replica. */
	synchronized int inUse() {
		return this.inUse;
	}

	private Mono<Permit> slot(long estimatedTokens) {
		return Mono.create((sink) -> {
			Waiter waiter = new Waiter(sink, estimatedTokens);
			Permit granted = null;
			synchronized (this) {
				if (this.waiting.isEmpty() && this.inUse < limit()) {
					granted = grant(estimatedTokens);
				}
				else {
					this.waiting.add(waiter);
				}
			}
			if (granted != null) {
				sink.success(granted);
				return;
			}
			sink.onCancel(() -> {
				boolean removed;
				synchronized (this) {
					removed = this.waiting.remove(waiter);
				}
				Permit late = waiter.granted;
				if (!removed && late != null) {
					late.release();
				}
			});
		});
	}

	private Permit grant(long estimatedTokens) {
		this.inUse++;
		return new Permit(this, this.nanos.getAsLong(), estimatedTokens);
	}

	/** How long a request must wait for its turn under requests-per-minute; books it. */
	synchronized long reserveRequest() {
		if (this.requestsPerMinute == 0) {
			return 0;
		}
		long now = this.nanos.getAsLong();
		long interval = MINUTE * share() / this.requestsPerMinute;
		long at = Math.max(now, this.nextRequestAt);
		this.nextRequestAt = at + interval;
		return at - now;
	}

	/**
	 * Takes a request's tokens from the bucket if it holds them (or is full: a request
	 * larger than a minute's tokens goes when nothing else is owed).
	 * @return 0 when taken, else how long until the bucket could hold them
	 */
	synchronized long tryTake(long estimatedTokens) {
		long now = this.nanos.getAsLong();
		double capacity = (double) this.tokensPerMinute / share();
		double perNano = capacity / MINUTE;
		this.tokens = Math.min(capacity, this.tokens + (now - this.tokensAt) * perNano);
		this.tokensAt = now;
		if (this.tokens >= estimatedTokens || this.tokens >= capacity) {
			this.tokens -= estimatedTokens;
			return 0;
		}
		return Math.max(1, (long) Math.ceil((Math.min(estimatedTokens, capacity) - this.tokens) / perNano));
	}

	private int share() {
		return Math.max(1, this.replicas.getAsInt());
	}

	/**
	 * What the answer to a permitted request taught.
	 * @param permit the request's permit
	 * @param rateLimited whether the provider answered 429 or 503
	 * @param usedTokens the tokens the answer reports, or {@code null} when it reports
	 * none
	 */
	synchronized void answered(Permit permit, boolean rateLimited, @Nullable Long usedTokens) {
		if (rateLimited) {
			if (permit.grantedAt > this.cutAt) {
				this.limit = Math.max(1, this.limit / 2);
				this.good = 0;
				this.cutAt = this.nanos.getAsLong();
			}
		}
		else if (this.limit < this.ceiling && ++this.good >= this.limit) {
			this.limit++;
			this.good = 0;
		}
		if (usedTokens != null && this.tokensPerMinute > 0) {
			this.tokens += permit.estimatedTokens - usedTokens;
		}
	}

	private int shareOf(int total) {
		return Math.max(1, total / share());
	}

	/** Frees a place, and gives every place the limit now allows to the next waiters. */
	private void release() {
		java.util.List<Waiter> next = new java.util.ArrayList<>(1);
		synchronized (this) {
			this.inUse--;
			while (!this.waiting.isEmpty() && this.inUse < limit()) {
				Waiter waiter = this.waiting.poll();
				waiter.granted = grant(waiter.estimatedTokens);
				next.add(waiter);
			}
		}
		for (Waiter waiter : next) {
			waiter.sink.success(waiter.granted);
		}
	}

	/** A place among the requests in flight, released once. */
	static final class Permit {

		private final Throttle throttle;

		private final long grantedAt;

		private final long estimatedTokens;

		private final AtomicBoolean released = new AtomicBoolean();

		Permit(Throttle throttle, long grantedAt, long estimatedTokens) {
			this.throttle = throttle;
			this.grantedAt = grantedAt;
			this.estimatedTokens = estimatedTokens;
		}

		void release() {
			if (this.released.compareAndSet(false, true)) {
				this.throttle.release();
			}
		}

	}

	/** A request waiting for a place. */
	private static final class Waiter {

		private final MonoSink<Permit> sink;

		private final long estimatedTokens;

		private volatile @Nullable Permit granted;

		Waiter(MonoSink<Permit> sink, long estimatedTokens) {
			this.sink = sink;
			this.estimatedTokens = estimatedTokens;
		}

	}

}
