package dev.ferry.provider.executed;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import dev.ferry.batch.SyncUpstream;
import dev.ferry.batch.SyncUpstream.Answer;

/**
 * Sends one line of a batch Ferry runs to the provider's synchronous API, within its
 * {@link Throttle}, and turns the answer into an OpenAI output or error line. A 429 or
 * 503 halves the requests in flight and pauses every call to the provider for as long as
 * it asks ({@code Retry-After}, else {@code x-ratelimit-reset-*}, else a growing
 * backoff), so a rate limit slows the whole batch down instead of failing lines; other
 * 5xx answers and failed connections are retried a bounded number of times; any other
 * answer is the line's result.
 */
final class LineCaller {

	/** How many rate-limit answers one line waits out before it is given up. */
	static final int MAX_RATE_LIMITED = 50;

	private static final Duration FIRST_BACKOFF = Duration.ofMillis(200);

	private final SyncUpstream upstream;

	private final JsonMapper mapper;

	private final ExecutedProperties settings;

	/** No call to the provider starts before this instant, in epoch milliseconds. */
	private final AtomicLong pausedUntil = new AtomicLong();

	private final AtomicLong retried = new AtomicLong();

	private final AtomicLong inFlight = new AtomicLong();

	private final Throttle throttle;

	private final Meters meters;

	LineCaller(String provider, SyncUpstream upstream, JsonMapper mapper, ExecutedProperties settings,
			Throttle throttle, MeterRegistry registry) {
		this.upstream = upstream;
		this.mapper = mapper;
		this.settings = settings;
		this.throttle = throttle;
		this.meters = new Meters(provider, registry, this.inFlight, throttle);
	}

	/**
	 * Runs one request.
	 * @param customId the line's id
	 * @param endpoint the batch endpoint, such as {@code /v1/chat/completions}
	 * @param body the request body, with its model
	 * @return the OpenAI output line (a 2xx answer) or error line
	 */
	Mono<ObjectNode> call(String customId, String endpoint, JsonNode body) {
		long estimate = this.throttle.countsTokens() ? TokenEstimate.of(body) : 0;
		return attempt(customId, endpoint, body, estimate, 0, 0).doOnNext(this.meters::line);
	}

	/** Retries made so far, for metrics and tests. */
	long retried() {
		return this.retried.get();
	}

	private Mono<ObjectNode> attempt(String customId, String endpoint, JsonNode body, long estimate, int failures,
			int limited) {
		return Mono
			.usingWhen(this.throttle.acquire(estimate),
					(permit) -> send(endpoint, body).doOnNext((answer) -> this.throttle.answered(permit,
							answer.rateLimited(), (answer.body() != null) ? TokenEstimate.used(answer.body()) : null)),
					(permit) -> Mono.fromRunnable(permit::release))
			.flatMap((answer) -> {
				if (answer.rateLimited() && limited < MAX_RATE_LIMITED) {
					pauseFor((answer.retryAfter() != null) ? answer.retryAfter() : backoff(limited));
					this.retried.incrementAndGet();
					this.meters.retry("rate_limited");
					return attempt(customId, endpoint, body, estimate, failures, limited + 1);
				}
				if (answer.retryable() && failures + 1 < this.settings.maxAttempts()) {
					this.retried.incrementAndGet();
					this.meters.retry("failed");
					return Mono.delay(backoff(failures))
						.then(attempt(customId, endpoint, body, estimate, failures + 1, limited));
				}
				return Mono.just(line(customId, answer));
			});
	}

	/** One call, once any pause the provider asked for has passed. */
	private Mono<Answer> send(String endpoint, JsonNode body) {
		long wait = this.pausedUntil.get() - System.currentTimeMillis();
		Mono<Void> pause = (wait > 0) ? Mono.delay(Duration.ofMillis(wait)).then() : Mono.empty();
		return pause.then(Mono.defer(() -> {
			this.inFlight.incrementAndGet();
			return Mono.just(System.nanoTime());
		}))
			.flatMap((started) -> this.upstream.send(endpoint, body)
				.onErrorResume((failure) -> Mono.just(Answer.failed(failure)))
				.doFinally((signal) -> {
					this.inFlight.decrementAndGet();
					this.meters.latency(System.nanoTime() - started);
				}));
	}

	private void pauseFor(Duration wait) {
		long until = System.currentTimeMillis() + Math.min(wait.toMillis(), this.settings.longestBackoff().toMillis());
		this.pausedUntil.accumulateAndGet(until, Math::max);
	}

	private Duration backoff(int attempt) {
		long millis = FIRST_BACKOFF.toMillis() << Math.min(attempt, 10);
		return Duration.ofMillis(Math.min(millis, this.settings.longestBackoff().toMillis()));
	}

	private ObjectNode line(String customId, Answer answer) {
		ObjectNode line = this.mapper.createObjectNode().put("id", "batch_req_" + customId).put("custom_id", customId);
		if (answer.failure() != null) {
			line.putNull("response");
			line.putObject("error")
				.put("code", "upstream_unreachable")
				.put("message", "the provider could not be reached after " + this.settings.maxAttempts() + " attempts: "
						+ answer.failure().getMessage());
			return line;
		}
		JsonNode body = (answer.body() != null) ? answer.body() : this.mapper.createObjectNode();
		ObjectNode response = line.putObject("response").put("status_code", answer.status());
		response.set("request_id", body.path("id").isString() ? body.get("id") : null);
		response.set("body", body);
		line.putNull("error");
		return line;
	}

	/**
	 * The runner's meters for one provider: lines answered by outcome, retries by reason,
	 * upstream latency, and requests in flight.
	 */
	private static final class Meters {

		private final Counter succeeded;

		private final Counter failed;

		private final Counter rateLimited;

		private final Counter retriedAfterFailure;

		private final Timer latency;

		Meters(String provider, MeterRegistry registry, AtomicLong inFlight, Throttle throttle) {
			this.succeeded = Counter.builder("ferry.executed.lines")
				.tag("provider", provider)
				.tag("outcome", "succeeded")
				.register(registry);
			this.failed = Counter.builder("ferry.executed.lines")
				.tag("provider", provider)
				.tag("outcome", "failed")
				.register(registry);
			this.rateLimited = Counter.builder("ferry.executed.retries")
				.tag("provider", provider)
				.tag("reason", "rate_limited")
				.register(registry);
			this.retriedAfterFailure = Counter.builder("ferry.executed.retries")
				.tag("provider", provider)
				.tag("reason", "failed")
				.register(registry);
			this.latency = Timer.builder("ferry.executed.upstream").tag("provider", provider).register(registry);
			Gauge.builder("ferry.executed.in_flight", inFlight, AtomicLong::get)
				.tag("provider", provider)
				.register(registry);
			Gauge.builder("ferry.executed.concurrency_limit", throttle, Throttle::limit)
				.tag("provider", provider)
				.register(registry);
		}

		void line(ObjectNode line) {
			int status = line.path("response").path("status_code").asInt(0);
			((status >= 200 && status < 300) ? this.succeeded : this.failed).increment();
		}

		void retry(String reason) {
			(reason.equals("rate_limited") ? this.rateLimited : this.retriedAfterFailure).increment();
		}

		void latency(long nanos) {
			this.latency.record(nanos, java.util.concurrent.TimeUnit.NANOSECONDS);
		}

	}

}
