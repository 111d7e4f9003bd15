package dev.ferry.provider.executed;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntPredicate;

import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.RecordedRequest;
import mockwebserver3.SocketEffect;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A synchronous chat server under load and faults, for batches Ferry runs itself: calls
 * picked by number are answered 429 (with {@code x-ratelimit-reset-requests}), 503, or a
 * connection cut mid-answer; a message holding {@code FAIL} is answered 400; every other
 * call is answered with an echo of its message after {@code latencyMillis}, reporting a
 * usage of {@link #TOKENS} tokens. It counts the calls, the calls in flight at once, and
 * the final answer each message got, and keeps each call's path, authorization and
 * arrival time.
 */
final class ChatUpstream extends Dispatcher {

	private final JsonMapper mapper = JsonMapper.builder().build();

	private final long latencyMillis;

	private final IntPredicate rateLimited;

	private final IntPredicate unavailable;

	private final IntPredicate cut;

	/** The tokens every answer reports using. */
	static final int TOKENS = 12;

	final AtomicInteger calls = new AtomicInteger();

	/** Each call as it arrived. */
	final java.util.Queue<Call> received = new java.util.concurrent.ConcurrentLinkedQueue<>();

	final AtomicInteger faults = new AtomicInteger();

	private final AtomicInteger inFlight = new AtomicInteger();

	final AtomicInteger mostInFlight = new AtomicInteger();

	/** How many times each message was answered 200 or 400. */
	final Map<String, Integer> answered = new ConcurrentHashMap<>();

	ChatUpstream(long latencyMillis, IntPredicate rateLimited, IntPredicate unavailable, IntPredicate cut) {
		this.latencyMillis = latencyMillis;
		this.rateLimited = rateLimited;
		this.unavailable = unavailable;
		this.cut = cut;
	}

	@Override
	public MockResponse dispatch(RecordedRequest request) throws InterruptedException {
		int call = this.calls.incrementAndGet();
		this.received.add(
				new Call(request.getUrl().encodedPath(), request.getHeaders().get("Authorization"), System.nanoTime()));
		this.mostInFlight.accumulateAndGet(this.inFlight.incrementAndGet(), Math::max);
		try {
			if (this.latencyMillis > 0) {
				Thread.sleep(this.latencyMillis);
			}
			if (this.rateLimited.test(call)) {
				this.faults.incrementAndGet();
				return new MockResponse.Builder().code(429)
					.addHeader("x-ratelimit-reset-requests", "30ms")
					.body("{\"error\":{\"message\":\"slow down\",\"type\":\"rate_limit_error\"}}")
					.build();
			}
			if (this.unavailable.test(call)) {
				this.faults.incrementAndGet();
				return new MockResponse.Builder().code(503).addHeader("Retry-After", "0").build();
			}
			if (this.cut.test(call)) {
				this.faults.incrementAndGet();
				return new MockResponse.Builder().code(200)
					.body("{\"id\":\"cut\",\"choices\":[" + " ".repeat(4096) + "]}")
					.onResponseBody(new SocketEffect.CloseSocket())
					.build();
			}
			JsonNode body = this.mapper.readTree(request.getBody().toByteArray());
			String text = body.at("/messages/0/content").asString("");
			this.answered.merge(text, 1, Integer::sum);
			if (text.contains("FAIL")) {
				return new MockResponse.Builder().code(400)
					.addHeader("Content-Type", "application/json")
					.body("{\"error\":{\"message\":\"refused\",\"type\":\"invalid_request_error\"}}")
					.build();
			}
			tools.jackson.databind.node.ObjectNode answer = this.mapper.createObjectNode()
				.put("id", "chatcmpl-" + call)
				.put("object", "chat.completion")
				.put("model", body.path("model").asString());
			answer.putArray("choices")
				.addObject()
				.put("index", 0)
				.put("finish_reason", "stop")
				.putObject("message")
				.put("role", "assistant")
				.put("content", "echo: " + text);
			answer.putObject("usage")
				.put("prompt_tokens", TOKENS - 2)
				.put("completion_tokens", 2)
				.put("total_tokens", TOKENS);
			return new MockResponse.Builder().code(200)
				.addHeader("Content-Type", "application/json")
				.body(this.mapper.writeValueAsString(answer))
				.build();
		}
		finally {
			this.inFlight.decrementAndGet();
		}
	}

	/** One call: its path, its {@code Authorization} header, when it arrived. */
	record Call(String path, String authorization, long arrivedNanos) {
	}

}
