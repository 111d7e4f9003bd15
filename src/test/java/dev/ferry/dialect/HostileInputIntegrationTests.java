package dev.ferry.dialect;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.TimeUnit;

import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.ferry.batch.FerryIds;
import dev.ferry.support.GatewayKey;
import dev.ferry.support.MockUpstreams;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static dev.ferry.support.OpenAiJson.batchJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Input crafted to make Ferry call somewhere it should not, or to make it work too hard:
 * ids that try to change the upstream path, minted ids wrapping such ids, nested JSON,
 * forms without a file or with a wrong purpose; and upstream headers that must not reach
 * the caller. Raw HTTP, so nothing normalises the input on the way.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class HostileInputIntegrationTests {

	static final MockWebServer upstream = MockUpstreams.started();

	/**
	 * Ids as they appear in a request path, each an attempt to leave the batch's path.
	 */
	private static final List<String> HOSTILE_IDS = List.of("..", "..%2F..%2Ffiles", "batch_1%2F..%2F..%2Fadmin",
			"batch_1%3Fafter%3Dx", "batch_1%23fragment", "batch_1%00", "batch_1%0D%0AX-Injected:%20yes", "batch_1%20",
			"%2e%2e", "b".repeat(129), "batch_%C3%A9");

	private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

	@LocalServerPort
	int port;

	@DynamicPropertySource
	static void properties(DynamicPropertyRegistry registry) throws IOException {
		MockUpstreams.pointAt(registry, upstream, List.of("openai"), true);
		registry.add("ferry.files.max-request-body", () -> "1MB");
		registry.add("ferry.providers.openai.response-timeout", () -> "5s");
		registry.add("ferry.providers.anthropic.response-timeout", () -> "5s");
		MockUpstreams.withoutStatusCache(registry, "openai");
		MockUpstreams.withoutStatusCache(registry, "anthropic");
	}

	@AfterEach
	void nothingLeftQueued() throws InterruptedException {
		MockUpstreams.assertNothingLeft(upstream);
	}

	@Test
	void hostileIdsAreRefusedInEveryDialectAndNeverReachTheUpstream() throws Exception {
		for (String id : HOSTILE_IDS) {
			for (String path : List.of("/openai/v1/batches/" + id, "/openai/v1/batches/" + id + "/cancel",
					"/openai/v1/files/" + id + "/content", "/v1/batches/" + id + "?provider=openai",
					"/v1/batches/" + id + "/results?provider=openai", "/anthropic/v1/messages/batches/" + id,
					"/anthropic/v1/messages/batches/" + id + "/results")) {
				HttpResponse<String> response = send(path.endsWith("/cancel") ? "POST" : "GET", path);
				assertThat(response.statusCode()).as(path).isIn(400, 404);
				assertThat(response.body()).as(path).contains("error");
			}
		}
	}

	@Test
	void aMintedIdWrappingAHostileNativeIdIsRefusedToo() throws Exception {
		String hostile = "../../files/file-x";
		HttpResponse<String> viaAnthropic = send("GET",
				"/anthropic/v1/messages/batches/" + FerryIds.mint("msgbatch_", "openai", hostile));
		HttpResponse<String> viaOpenAi = send("GET",
				"/openai/v1/batches/" + FerryIds.mint("batch_", "anthropic", hostile) + "?provider=anthropic");
		assertThat(viaAnthropic.statusCode()).isEqualTo(400);
		assertThat(viaAnthropic.body()).contains("message_batch_id");
		assertThat(viaOpenAi.statusCode()).isEqualTo(400);
		assertThat(viaOpenAi.body()).contains("batch_id");
	}

	@Test
	void aValidIdReachesExactlyTheBatchPath() throws Exception {
		MockUpstreams.enqueueJson(upstream, 200, batchJson("batch_ok-1_X", "in_progress"));
		assertThat(send("GET", "/openai/v1/batches/batch_ok-1_X").statusCode()).isEqualTo(200);
		assertThat(MockUpstreams.take(upstream).getTarget()).isEqualTo("/v1/batches/batch_ok-1_X");
	}

	@Test
	void deeplyNestedJsonIsRefusedWithAClearMessage() throws Exception {
		String nested = "{\"a\":".repeat(1000) + "1" + "}".repeat(1000);
		HttpResponse<String> response = send("POST", "/v1/batches", nested);
		assertThat(response.statusCode()).isEqualTo(400);
		assertThat(response.body()).contains("nesting depth", "exceeds the maximum allowed (500)")
			.doesNotContain("StreamReadConstraints");
	}

	@Test
	void aBodyOverTheLimitIsRefusedWith413() throws Exception {
		String big = "{\"provider\":\"openai\",\"input_file_id\":\"" + "x".repeat(2 * 1024 * 1024) + "\"}";
		HttpResponse<String> response = send("POST", "/v1/batches", big);
		assertThat(response.statusCode()).isEqualTo(413);
		assertThat(response.body()).contains("ferry.files.max-request-body");
	}

	@Test
	void aResultsUrlOutsideTheProvidersOriginIsNeverFollowed() throws Exception {
		MockUpstreams.enqueueJson(upstream, 200,
				"""
						{"id":"msgbatch_ssrf","type":"message_batch","processing_status":"ended",
						 "request_counts":{"processing":0,"succeeded":1,"errored":0,"canceled":0,"expired":0},
						 "created_at":"2026-11-22T00:00:00Z","expires_at":"2026-11-23T00:00:00Z","ended_at":"2026-11-22T01:00:00Z",
						 "cancel_initiated_at":null,"archived_at":null,
						 "results_url":"http://169.254.169.254/latest/meta-data/iam"}""");
		HttpResponse<String> response = send("GET", "/anthropic/v1/messages/batches/msgbatch_ssrf/results");
		assertThat(response.statusCode()).isEqualTo(502);
		assertThat(response.body()).contains("outside its own origin");
		assertThat(MockUpstreams.take(upstream).getTarget()).isEqualTo("/v1/messages/batches/msgbatch_ssrf");
	}

	@Test
	void uploadFormsWithoutAFileOrWithAWrongPurposeAreRefusedBeforeAnUpstreamRequestStarts() throws Exception {
		int before = upstream.getRequestCount();
		HttpResponse<String> noFile = upload(
				"--b\r\nContent-Disposition: form-data; name=\"purpose\"\r\n\r\nbatch\r\n--b--\r\n");
		assertThat(noFile.statusCode()).isEqualTo(400);
		assertThat(noFile.body()).contains("file: missing (expected: a multipart part named 'file')");
		HttpResponse<String> wrongPurpose = upload("--b\r\nContent-Disposition: form-data; name=\"purpose\"\r\n\r\n"
				+ "evil\r\n--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"in.jsonl\"\r\n"
				+ "Content-Type: application/jsonl\r\n\r\n{\"custom_id\":\"a\"}\n\r\n--b--\r\n");
		assertThat(wrongPurpose.statusCode()).isEqualTo(400);
		assertThat(wrongPurpose.body()).contains("purpose: 'evil' (expected: one of assistants, batch, evals");
		assertThat(upstream.takeRequest(200, TimeUnit.MILLISECONDS)).as("no request started upstream").isNull();
		assertThat(upstream.getRequestCount()).isEqualTo(before);
	}

	@Test
	void aWrongPurposeAfterTheFileCutsTheUploadOffBeforeItEnds() throws Exception {
		HttpResponse<String> wrongPurpose = upload("--b\r\nContent-Disposition: form-data; name=\"file\"; "
				+ "filename=\"in.jsonl\"\r\nContent-Type: application/jsonl\r\n\r\n{\"custom_id\":\"a\"}\n\r\n"
				+ "--b\r\nContent-Disposition: form-data; name=\"purpose\"\r\n\r\nevil\r\n--b--\r\n");
		assertThat(wrongPurpose.statusCode()).isEqualTo(400);
		assertThat(wrongPurpose.body()).contains("purpose: 'evil'");
		// Known only once the file has streamed: the upstream may have seen the start of
		// the upload, never a complete one.
		RecordedRequest started;
		while ((started = upstream.takeRequest(200, TimeUnit.MILLISECONDS)) != null) {
			assertThat(started.getFailure()).as("an upload cut off before its end").isNotNull();
		}
	}

	@Test
	void upstreamCookiesAndHopByHopHeadersNeverReachTheCaller() throws Exception {
		for (String path : List.of("/openai/v1/batches/batch_h", "/openai/v1/files/file-h/content")) {
			upstream.enqueue(new MockResponse.Builder().code(200)
				.addHeader("Content-Type", "application/json")
				.addHeader("Set-Cookie", "session=upstream-secret; HttpOnly")
				.addHeader("Keep-Alive", "timeout=600")
				.addHeader("Proxy-Authenticate", "Basic realm=upstream")
				.addHeader("X-Upstream-Internal", "node-17")
				.addHeader("openai-organization", "org-secret")
				.body(batchJson("batch_h", "in_progress"))
				.build());
			HttpResponse<String> response = send("GET", path);
			assertThat(response.statusCode()).as(path).isEqualTo(200);
			assertThat(response.headers().map().keySet()).as(path)
				.doesNotContain("set-cookie", "keep-alive", "proxy-authenticate", "x-upstream-internal",
						"openai-organization");
			MockUpstreams.take(upstream);
		}
	}

	private HttpResponse<String> upload(String form) throws IOException, InterruptedException {
		return this.http.send(HttpRequest.newBuilder(uri("/openai/v1/files"))
			.header("Authorization", GatewayKey.BEARER)
			.header("Content-Type", "multipart/form-data; boundary=b")
			.POST(HttpRequest.BodyPublishers.ofString(form))
			.build(), HttpResponse.BodyHandlers.ofString());
	}

	private HttpResponse<String> send(String method, String path) throws IOException, InterruptedException {
		return send(method, path, null);
	}

	private HttpResponse<String> send(String method, String path, String json)
			throws IOException, InterruptedException {
		HttpRequest.Builder request = HttpRequest.newBuilder(uri(path)).header("Authorization", GatewayKey.BEARER);
		if (json != null) {
			request.header("Content-Type", "application/json");
		}
		request.method(method,
				(json != null) ? HttpRequest.BodyPublishers.ofString(json) : HttpRequest.BodyPublishers.noBody());
		return this.http.send(request.build(), HttpResponse.BodyHandlers.ofString());
	}

	private URI uri(String path) {
		return URI.create("http://localhost:" + this.port + path);
	}

}
