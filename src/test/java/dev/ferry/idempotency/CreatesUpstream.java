package dev.ferry.idempotency;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.RecordedRequest;

import static dev.ferry.support.OpenAiJson.batchJson;

/**
 * An OpenAI and Anthropic upstream that creates a new batch for every create it receives,
 * a little slowly, counting them; a create whose body names {@code fail-<code>} as its
 * input file is answered with that status instead.
 */
final class CreatesUpstream extends Dispatcher {

	final AtomicInteger creates = new AtomicInteger();

	volatile long delayMillis = 300;

	@Override
	public MockResponse dispatch(RecordedRequest request) throws InterruptedException {
		int number = this.creates.incrementAndGet();
		TimeUnit.MILLISECONDS.sleep(this.delayMillis);
		String body = request.getBody().utf8();
		if (body.contains("\"fail-")) {
			int status = Integer.parseInt(body.replaceFirst("(?s).*\"fail-(\\d{3}).*", "$1"));
			return json(status, "{\"error\":{\"message\":\"upstream refused\",\"type\":\"api_error\"}}");
		}
		if (request.getTarget().startsWith("/v1/messages/batches")) {
			return json(200, """
					{"id":"msgbatch_%d","type":"message_batch","processing_status":"in_progress",
					 "request_counts":{"processing":1,"succeeded":0,"errored":0,"canceled":0,"expired":0},
					 "ended_at":null,"created_at":"2026-11-22T00:00:00Z","expires_at":"2026-11-23T00:00:00Z",
					 "archived_at":null,"cancel_initiated_at":null,"results_url":null}""".formatted(number));
		}
		return json(200, batchJson("batch_" + number, "validating"));
	}

	private static MockResponse json(int status, String body) {
		return new MockResponse.Builder().code(status).addHeader("Content-Type", "application/json").body(body).build();
	}

}
