package dev.ferry.provider.executed;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import dev.ferry.auth.KeyRotation;
import dev.ferry.upstream.UpstreamErrors;

import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.client.ClientResponse;
import org.springframework.web.reactive.function.client.WebClient;

/**
 * Sends one line of a batch Ferry runs to the provider's synchronous endpoint, within its
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

	private final WebClient client;

	private final KeyRotation keys;

	private final JsonMapper mapper;

	private final ExecutedProperties settings;

	/** No call to the provider starts before this instant, in epoch milliseconds. */
	private final AtomicLong pausedUntil = new AtomicLong();

	private final AtomicLong retried = new AtomicLong();

	private final AtomicLong inFlight = new AtomicLong();

	private final Throttle throttle;

	private final Meters meters;

	LineCaller(String provider, WebClient client, KeyRotation keys, JsonMapper mapper, ExecutedProperties settings,
			Throttle throttle, MeterRegistry registry) {
		this.client = client;
		this.keys = keys;
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
		String key = this.keys.next();
		return pause.then(Mono.defer(() -> {
			this.inFlight.incrementAndGet();
			return Mono.just(System.nanoTime());
		}))
			.flatMap((started) -> this.client.post()
				.uri(path(endpoint))
				.contentType(MediaType.APPLICATION_JSON)
				.accept(MediaType.APPLICATION_JSON)
				.headers((headers) -> {
					if (key != null) {
						headers.setBearerAuth(key);
					}
				})
				.bodyValue(this.mapper.writeValueAsBytes(body))
				.exchangeToMono((response) -> response.bodyToMono(byte[].class)
					.defaultIfEmpty(new byte[0])
					.map((bytes) -> new Answer(response.statusCode().value(), json(bytes), retryAfter(response), null)))
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

	/** The endpoint's path under the base URL, which ends in {@code /v1}. */
	private static String path(String endpoint) {
		return endpoint.startsWith("/v1/") ? endpoint.substring("/v1".length()) : endpoint;
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

	private JsonNode json(byte[] bytes) {
		try {
			JsonNode node = this.mapper.readTree(bytes);
			return (node != null) ? node : this.mapper.createObjectNode();
		}
		catch (JacksonException ex) {
			ObjectNode error = this.mapper.createObjectNode();
			error.putObject("error")
				.put("message", new String(bytes, java.nio.charset.StandardCharsets.UTF_8))
				.put("type", "api_error");
			return error;
		}
	}

	/**
	 * How long the provider asks to be left alone: {@code Retry-After} (seconds or an
	 * HTTP date), else the OpenAI-style {@code x-ratelimit-reset-requests} or
	 * {@code -tokens} ({@code 1s}, {@code 6m0s}, {@code 250ms}).
	 */
	static @Nullable Duration retryAfter(ClientResponse response) {
		HttpHeaders headers = response.headers().asHttpHeaders();
		String retryAfter = headers.getFirst(HttpHeaders.RETRY_AFTER);
		if (retryAfter != null) {
			return UpstreamErrors.retryAfter(retryAfter);
		}
		for (String name : new String[] { "x-ratelimit-reset-requests", "x-ratelimit-reset-tokens" }) {
			Duration reset = goDuration(headers.getFirst(name));
			if (reset != null) {
				return reset;
			}
		}
		return null;
	}

	/**
	 * A duration as OpenAI-compatible servers write them: {@code 1m30s}, {@code 250ms}.
	 */
	static @Nullable Duration goDuration(@Nullable String text) {
		if (text == null || text.isBlank()) {
			return null;
		}
		java.util.regex.Matcher part = java.util.regex.Pattern.compile("([0-9]+(?:\\.[0-9]+)?)(ms|h|m|s)")
			.matcher(text.trim());
		double millis = 0;
		int matched = 0;
		while (part.find()) {
			double value = Double.parseDouble(part.group(1));
			millis += switch (part.group(2)) {
				case "h" -> value * 3_600_000;
				case "m" -> value * 60_000;
				case "s" -> value * 1_000;
				default -> value;
			};
			matched += part.group().length();
		}
		return (matched == text.trim().length() && matched > 0) ? Duration.ofMillis((long) millis) : null;
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

	/** One answer, or the failure to get one. */
	private record Answer(int status, @Nullable JsonNode body, @Nullable Duration retryAfter,
			@Nullable Throwable failure) {

		static Answer failed(Throwable failure) {
			return new Answer(0, null, null, failure);
		}

		boolean rateLimited() {
			return this.status == 429 || this.status == 503;
		}

		boolean retryable() {
			return this.failure != null || this.status >= 500;
		}

	}

}
