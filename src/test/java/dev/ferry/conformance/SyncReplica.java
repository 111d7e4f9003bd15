package dev.ferry.conformance;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import mockwebserver3.MockResponse;
import mockwebserver3.RecordedRequest;
import tools.jackson.databind.JsonNode;

/**
 * An OpenAI-compatible server with no batch API (vLLM, SGLang, Ollama): synchronous
 * {@code /v1/chat/completions}, {@code /v1/embeddings}, {@code /v1/completions} and
 * {@code /v1/responses} under its base URL, answered with an echo after a short delay; a
 * request whose text holds {@code FAIL} is answered 400. It counts the requests it has in
 * flight, so tests can check Ferry never exceeds its limit.
 */
final class SyncReplica extends Replica {

	private static final Set<String> PATHS = Set.of("/v1/chat/completions", "/v1/embeddings", "/v1/completions",
			"/v1/responses");

	private final Duration latency;

	private final AtomicInteger inFlight = new AtomicInteger();

	private final AtomicInteger mostInFlight = new AtomicInteger();

	SyncReplica(Duration latency) {
		this.latency = latency;
	}

	@Override
	String baseUrl() {
		return server().url("/v1").toString();
	}

	@Override
	String errorBody(String message) {
		return object().set("error",
				object().put("message", message).put("type", "invalid_request_error").putNull("param").putNull("code"))
			.toString();
	}

	int mostInFlight() {
		return this.mostInFlight.get();
	}

	@Override
	protected MockResponse answer(RecordedRequest request) {
		String path = request.getUrl().encodedPath();
		if (!request.getMethod().equals("POST") || !PATHS.contains(path)) {
			throw refuse(404, "no such endpoint: " + request.getMethod() + " " + path);
		}
		JsonNode body = body(request);
		if (!body.path("model").isString()) {
			throw refuse(400, "model missing");
		}
		String text = Echo.text(body);
		if (text.contains("FAIL")) {
			return json(400, errorBody("the replica refused it"));
		}
		return json(200, Echo.response(this.mapper, path, body, "resp-" + now()));
	}

	/** Answers outside the replica's lock, so requests overlap as on a real server. */
	@Override
	protected @org.jspecify.annotations.Nullable MockResponse answerConcurrently(RecordedRequest request) {
		int now = this.inFlight.incrementAndGet();
		this.mostInFlight.accumulateAndGet(now, Math::max);
		try {
			Thread.sleep(this.latency.toMillis());
			return null;
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return null;
		}
		finally {
			this.inFlight.decrementAndGet();
		}
	}

	@Override
	protected Refusal refuse(int status, String message) {
		return new Refusal(message, json(status, errorBody(message)));
	}

}
