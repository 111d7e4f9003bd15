package dev.ferry.upstream;

import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import com.openai.client.OpenAIClient;
import com.openai.errors.InternalServerException;
import com.openai.models.batches.Batch;
import com.openai.models.batches.BatchCreateParams;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.SocketEffect;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.ferry.support.GatewayKey;
import dev.ferry.support.MockUpstreams;
import dev.ferry.support.OpenAiClients;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static dev.ferry.support.OpenAiJson.batchJson;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * An upstream that fails in the ways real ones do, played by MockWebServer: error bursts,
 * rate limits, slow headers, dropped connections, a saturated pool and a host that
 * refuses connections.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class UpstreamFaultsIntegrationTests {

	static final MockWebServer upstream = MockUpstreams.started();

	static final MockWebServer held = MockUpstreams.started();

	static final HeldResponses heldResponses = new HeldResponses();

	@LocalServerPort
	int port;

	@DynamicPropertySource
	static void properties(DynamicPropertyRegistry registry) throws IOException {
		MockUpstreams.pointAt(registry, upstream, List.of("openai"), true);
		registry.add("ferry.providers.openai.response-timeout", () -> "1s");
		registry.add("ferry.providers.openai.retry.first-backoff", () -> "20ms");
		registry.add("ferry.providers.openai.retry.max-backoff", () -> "2s");
		registry.add("ferry.providers.openai.max-idle-time", () -> "1s");
		MockUpstreams.withoutStatusCache(registry, "openai");
		MockUpstreams.withoutStatusCache(registry, "anthropic");
		held.setDispatcher(heldResponses);
		registry.add("ferry.providers.tight.type", () -> "openai");
		registry.add("ferry.providers.tight.base-url", () -> held.url("/v1").toString());
		registry.add("ferry.providers.tight.api-key", () -> "sk-tight");
		registry.add("ferry.providers.tight.max-connections", () -> "1");
		registry.add("ferry.providers.tight.pending-acquire-max-count", () -> "1");
		MockUpstreams.withoutStatusCache(registry, "tight");
		registry.add("ferry.providers.down.type", () -> "openai");
		registry.add("ferry.providers.down.base-url", () -> "http://127.0.0.1:" + closedPort() + "/v1");
		registry.add("ferry.providers.down.api-key", () -> "sk-down");
		registry.add("ferry.providers.down.retry.first-backoff", () -> "20ms");
	}

	@AfterEach
	void nothingLeftQueued() throws InterruptedException {
		MockUpstreams.assertNothingLeft(upstream);
	}

	@Test
	void aPooledConnectionIsReusedWhileFreshButNotOnceIdleLongerThanMaxIdleTime() throws Exception {
		// Connections left by earlier tests expire first.
		Thread.sleep(1200);
		int fresh = 4;
		for (int i = 0; i < fresh + 1; i++) {
			MockUpstreams.enqueueJson(upstream, 200, batchJson("batch_pooled", "in_progress"));
		}
		// Calls a moment apart, well within max-idle-time. An answer can reach the caller
		// a
		// moment before its connection is back in the pool (longer on a loaded machine),
		// so
		// what is asserted is that the calls reuse a connection at all.
		for (int i = 0; i < fresh; i++) {
			ferry().batches().retrieve("batch_pooled");
			Thread.sleep(150);
		}
		Thread.sleep(2000);
		ferry().batches().retrieve("batch_pooled");
		List<Integer> connections = new java.util.ArrayList<>();
		for (int i = 0; i < fresh + 1; i++) {
			connections.add(MockUpstreams.take(upstream).getConnectionIndex());
		}
		List<Integer> whileFresh = connections.subList(0, fresh);
		assertThat(whileFresh.stream().distinct().count()).as("reused while fresh: %s", connections).isLessThan(fresh);
		assertThat(whileFresh).as("not reused after 2 s idle: %s", connections).doesNotContain(connections.get(fresh));
	}

	@Test
	void aBurstOfUpstreamErrorsOnARetrieveIsRetriedUntilItRecovers() throws Exception {
		MockUpstreams.enqueueJson(upstream, 503, "{\"error\":{\"message\":\"overloaded\"}}");
		MockUpstreams.enqueueJson(upstream, 502, "<html>bad gateway</html>");
		MockUpstreams.enqueueJson(upstream, 200, batchJson("batch_flaky", "in_progress"));
		Batch batch = ferry().batches().retrieve("batch_flaky");
		assertThat(batch.id()).isEqualTo("batch_flaky");
		for (int attempt = 0; attempt < 3; attempt++) {
			assertThat(MockUpstreams.take(upstream).getTarget()).isEqualTo("/v1/batches/batch_flaky");
		}
	}

	@Test
	void aRateLimitIsWaitedOutForAsLongAsRetryAfterSays() throws Exception {
		upstream.enqueue(new MockResponse.Builder().code(429)
			.addHeader("Content-Type", "application/json")
			.addHeader("Retry-After", "1")
			.body("{\"error\":{\"message\":\"slow down\",\"type\":\"rate_limit_error\"}}")
			.build());
		MockUpstreams.enqueueJson(upstream, 200, batchJson("batch_limited", "in_progress"));
		long started = System.nanoTime();
		assertThat(ferry().batches().retrieve("batch_limited").id()).isEqualTo("batch_limited");
		assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofSeconds(1));
		MockUpstreams.take(upstream);
		MockUpstreams.take(upstream);
	}

	@Test
	void aCreateWithoutAnIdempotencyKeyIsNeverRetried() throws Exception {
		MockUpstreams.enqueueJson(upstream, 503, "{\"error\":{\"message\":\"overloaded\"}}");
		InternalServerException refused = catchThrowableOfType(InternalServerException.class,
				() -> ferry().batches().create(createParams()));
		assertThat(refused.statusCode()).isEqualTo(503);
		assertThat(MockUpstreams.take(upstream).getTarget()).isEqualTo("/v1/batches");
	}

	@Test
	void anUploadIsNeverRetried() throws Exception {
		MockUpstreams.enqueueJson(upstream, 503, "{\"error\":{\"message\":\"overloaded\"}}");
		HttpResponse<String> response = http().send(HttpRequest.newBuilder(ferryUri("/openai/v1/files"))
			.header("Authorization", GatewayKey.BEARER)
			.header("Content-Type", "multipart/form-data; boundary=b")
			.POST(HttpRequest.BodyPublishers.ofString("--b\r\nContent-Disposition: form-data; name=\"purpose\"\r\n\r\n"
					+ "batch\r\n--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"in.jsonl\"\r\n"
					+ "Content-Type: application/jsonl\r\n\r\n{\"custom_id\":\"a\"}\n\r\n--b--\r\n"))
			.build(), HttpResponse.BodyHandlers.ofString());
		assertThat(response.statusCode()).isEqualTo(503);
		assertThat(MockUpstreams.take(upstream).getTarget()).isEqualTo("/v1/files");
	}

	@Test
	void anUpstreamThatSendsNoHeadersInTimeIsA504AndNotRetried() throws Exception {
		upstream.enqueue(new MockResponse.Builder().code(200)
			.headersDelay(3, TimeUnit.SECONDS)
			.addHeader("Content-Type", "application/json")
			.body(batchJson("batch_slow", "in_progress"))
			.build());
		InternalServerException timedOut = catchThrowableOfType(InternalServerException.class,
				() -> ferry().batches().retrieve("batch_slow"));
		assertThat(timedOut.statusCode()).isEqualTo(504);
		assertThat(timedOut.getMessage()).contains("did not answer in time");
		MockUpstreams.take(upstream);
	}

	@Test
	void aHostThatRefusesConnectionsIsA502AfterTheRetries() throws Exception {
		HttpResponse<String> response = get("/v1/batches/batch_x?provider=down");
		assertThat(response.statusCode()).isEqualTo(502);
		assertThat(response.body()).contains("upstream_unreachable", "\"provider\":\"down\"");
	}

	@Test
	void aSaturatedPoolShedsCallsAtOnceWithA503() throws Exception {
		heldResponses.hold();
		HttpClient client = http();
		var first = client.sendAsync(getRequest("/v1/batches/batch_a?provider=tight"),
				HttpResponse.BodyHandlers.ofString());
		assertThat(held.takeRequest(5, TimeUnit.SECONDS)).as("the first call holding the only connection").isNotNull();
		var second = client.sendAsync(getRequest("/v1/batches/batch_b?provider=tight"),
				HttpResponse.BodyHandlers.ofString());
		// The second waits for the connection; give it time to join the queue.
		Thread.sleep(200);
		long started = System.nanoTime();
		HttpResponse<String> shed = get("/v1/batches/batch_c?provider=tight");
		assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(2));
		assertThat(shed.statusCode()).isEqualTo(503);
		assertThat(shed.headers().firstValue("Retry-After")).hasValue("1");
		assertThat(shed.body()).contains("\"code\":\"overloaded\"");
		heldResponses.release();
		assertThat(first.get(5, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
		assertThat(second.get(5, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
		assertThat(held.takeRequest(5, TimeUnit.SECONDS).getTarget()).isEqualTo("/v1/batches/batch_b");
		assertThat(held.takeRequest(10, TimeUnit.MILLISECONDS)).as("the shed call never went upstream").isNull();
	}

	@Test
	void fileContentCutOffMidStreamFailsTheCallersDownloadInsteadOfEndingIt() throws Exception {
		for (boolean chunked : new boolean[] { false, true }) {
			String content = "{\"custom_id\":\"r\",\"response\":{\"status_code\":200}}\n".repeat(20_000);
			MockResponse.Builder response = new MockResponse.Builder().code(200)
				.addHeader("Content-Type", "application/jsonl")
				.onResponseBody(new SocketEffect.CloseSocket());
			upstream.enqueue((chunked ? response.chunkedBody(content, 8192) : response.body(content)).build());
			HttpResponse<InputStream> download = http().send(getRequest("/openai/v1/files/file-out/content"),
					HttpResponse.BodyHandlers.ofInputStream());
			assertThat(download.statusCode()).isEqualTo(200);
			try (InputStream body = download.body()) {
				IOException cut = catchThrowableOfType(IOException.class, body::readAllBytes);
				assertThat(cut).as("chunked=" + chunked + ": a short download must fail, not end").isNotNull();
			}
			MockUpstreams.take(upstream);
		}
	}

	@Test
	void anthropicResultsCutOffMidStreamFailTheCallersDownloadInsteadOfEndingIt() throws Exception {
		MockUpstreams.enqueueJson(upstream, 200,
				"""
						{"id":"msgbatch_cut","type":"message_batch","processing_status":"ended",
						 "request_counts":{"processing":0,"succeeded":20000,"errored":0,"canceled":0,"expired":0},
						 "created_at":"2026-11-22T00:00:00Z","expires_at":"2026-11-23T00:00:00Z","ended_at":"2026-11-22T01:00:00Z",
						 "cancel_initiated_at":null,"archived_at":null,"results_url":"%s"}"""
					.formatted(upstream.url("/v1/messages/batches/msgbatch_cut/results")));
		upstream.enqueue(new MockResponse.Builder().code(200)
			.addHeader("Content-Type", "application/binary")
			.onResponseBody(new SocketEffect.CloseSocket())
			.body("{\"custom_id\":\"r\",\"result\":{\"type\":\"succeeded\"}}\n".repeat(20_000))
			.build());
		HttpResponse<InputStream> download = http().send(
				getRequest("/anthropic/v1/messages/batches/msgbatch_cut/results"),
				HttpResponse.BodyHandlers.ofInputStream());
		assertThat(download.statusCode()).isEqualTo(200);
		try (InputStream body = download.body()) {
			assertThat(catchThrowableOfType(IOException.class, body::readAllBytes))
				.as("a short download must fail, not end")
				.isNotNull();
		}
		MockUpstreams.take(upstream);
		MockUpstreams.take(upstream);
	}

	private OpenAIClient ferry() {
		return OpenAiClients.ferry(this.port, "openai");
	}

	private static BatchCreateParams createParams() {
		return BatchCreateParams.builder()
			.inputFileId("file-in")
			.endpoint(BatchCreateParams.Endpoint.V1_CHAT_COMPLETIONS)
			.completionWindow(BatchCreateParams.CompletionWindow._24H)
			.build();
	}

	private HttpResponse<String> get(String path) throws IOException, InterruptedException {
		return http().send(getRequest(path), HttpResponse.BodyHandlers.ofString());
	}

	private HttpRequest getRequest(String path) {
		return HttpRequest.newBuilder(ferryUri(path)).header("Authorization", GatewayKey.BEARER).GET().build();
	}

	private URI ferryUri(String path) {
		return URI.create("http://localhost:" + this.port + path);
	}

	private static HttpClient http() {
		return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
	}

	/** A port nothing listens on: bound, then released. */
	private static int closedPort() {
		try (ServerSocket socket = new ServerSocket(0)) {
			return socket.getLocalPort();
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
	}

	/** Answers batch retrieves, holding every answer until released. */
	static final class HeldResponses extends Dispatcher {

		private volatile CountDownLatch gate = new CountDownLatch(0);

		void hold() {
			this.gate = new CountDownLatch(1);
		}

		void release() {
			this.gate.countDown();
		}

		@Override
		public MockResponse dispatch(RecordedRequest request) throws InterruptedException {
			this.gate.await(10, TimeUnit.SECONDS);
			String id = request.getTarget().substring(request.getTarget().lastIndexOf('/') + 1);
			return new MockResponse.Builder().code(200)
				.addHeader("Content-Type", "application/json")
				.body(batchJson(id, "in_progress"))
				.build();
		}

	}

}
