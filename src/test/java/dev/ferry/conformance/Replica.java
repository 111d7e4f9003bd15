package dev.ferry.conformance;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedDeque;

import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * A stateful stand-in for one provider, built from its documented wire format, on a
 * MockWebServer of its own. It answers as the provider would and checks what it receives
 * as the provider would: anything the provider would refuse is answered with the
 * provider's error and noted as a violation, which the conformance kit asserts never
 * happens.
 */
abstract class Replica extends Dispatcher {

	protected final JsonMapper mapper = JsonMapper.builder().build();

	private final MockWebServer server = new MockWebServer();

	private final List<String> violations = Collections.synchronizedList(new ArrayList<>());

	private final List<RecordedRequest> received = Collections.synchronizedList(new ArrayList<>());

	private final Deque<MockResponse> scripted = new ConcurrentLinkedDeque<>();

	private long clock = 1_700_000_000L;

	Replica() {
		this.server.setDispatcher(this);
		try {
			this.server.start();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/**
	 * The base URL a provider is configured with.
	 * @return the URL
	 */
	abstract String baseUrl();

	/**
	 * An error body in the provider's shape.
	 * @param message the message
	 * @return the body
	 */
	abstract String errorBody(String message);

	MockWebServer server() {
		return this.server;
	}

	/**
	 * What the replica refused, as the provider would have: each a request Ferry should
	 * never have sent.
	 * @return the violations so far
	 */
	List<String> violations() {
		return List.copyOf(this.violations);
	}

	/**
	 * Every request received, in order.
	 * @return the requests
	 */
	List<RecordedRequest> received() {
		return List.copyOf(this.received);
	}

	/** Forgets what was received, refused and scripted, between tests. */
	void clearLog() {
		this.violations.clear();
		this.received.clear();
		this.scripted.clear();
	}

	/**
	 * Answers the next request with this, whatever it is.
	 * @param status the status
	 * @param body the JSON body
	 */
	void failNext(int status, String body) {
		this.scripted.add(json(status, body));
	}

	@Override
	public final MockResponse dispatch(RecordedRequest request) {
		this.received.add(request);
		MockResponse scriptedAnswer = this.scripted.poll();
		if (scriptedAnswer != null) {
			return scriptedAnswer;
		}
		try {
			MockResponse early = answerConcurrently(request);
			if (early != null) {
				return early;
			}
			synchronized (this) {
				return answer(request);
			}
		}
		catch (Refusal refusal) {
			this.violations.add(request.getMethod() + " " + request.getTarget() + ": " + refusal.getMessage());
			return refusal.response;
		}
	}

	/**
	 * Runs before {@link #answer}, outside the replica's lock, so that slow requests can
	 * overlap; by default it does nothing.
	 * @param request the request
	 * @return an answer, or {@code null} to go on to {@link #answer}
	 */
	protected @org.jspecify.annotations.Nullable MockResponse answerConcurrently(RecordedRequest request) {
		return null;
	}

	/**
	 * Answers one request; called one at a time.
	 * @param request the request
	 * @return the answer
	 */
	protected abstract MockResponse answer(RecordedRequest request);

	/**
	 * The replica's clock, in Unix seconds: each reading is a second after the last, so
	 * objects sort by creation.
	 * @return the time
	 */
	protected long now() {
		return ++this.clock;
	}

	protected MockResponse json(int status, Object body) {
		String text = (body instanceof String string) ? string : this.mapper.writeValueAsString(body);
		return new MockResponse.Builder().code(status).addHeader("Content-Type", "application/json").body(text).build();
	}

	protected JsonNode body(RecordedRequest request) {
		byte[] bytes = bytes(request);
		try {
			return this.mapper.readTree(bytes);
		}
		catch (RuntimeException ex) {
			throw refuse(400, "the body is not JSON: " + ex.getMessage());
		}
	}

	protected static byte[] bytes(RecordedRequest request) {
		return (request.getBody() != null) ? request.getBody().toByteArray() : new byte[0];
	}

	protected ObjectNode object() {
		return this.mapper.createObjectNode();
	}

	/**
	 * A refusal the provider would answer with, noted as a violation.
	 * @param status the status
	 * @param message what is wrong
	 * @return the refusal, to throw
	 */
	protected abstract Refusal refuse(int status, String message);

	/** A request the provider would refuse. */
	protected static final class Refusal extends RuntimeException {

		private final transient MockResponse response;

		Refusal(String message, MockResponse response) {
			super(message);
			this.response = response;
		}

	}

}
