package dev.ferry.provider.openai;

import java.net.URI;

import dev.ferry.support.GatewayKey;
import dev.ferry.support.MockUpstreams;
import dev.ferry.support.OpenAiClients;

import org.springframework.http.HttpMethod;
import org.springframework.web.reactive.function.BodyInserters;
import org.springframework.core.io.ByteArrayResource;
import org.springframework.http.client.MultipartBodyBuilder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.openai.client.OpenAIClient;
import com.openai.core.JsonValue;
import com.openai.errors.NotFoundException;
import com.openai.errors.OpenAIServiceException;
import com.openai.models.batches.Batch;
import com.openai.models.batches.BatchCreateParams;
import com.openai.models.batches.BatchListParams;
import com.openai.models.files.FileCreateParams;
import com.openai.models.files.FileObject;
import com.openai.models.files.FilePurpose;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.http.MediaType;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

import static dev.ferry.support.OpenAiJson.batchJson;
import static dev.ferry.support.OpenAiJson.fileJson;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * The official OpenAI SDK through Ferry's OpenAI dialect to an OpenAI upstream played by
 * MockWebServer, which records what Ferry sent.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@AutoConfigureWebTestClient
class OpenAiProviderIntegrationTests {

	static final MockWebServer upstream = MockUpstreams.started();

	private final JsonMapper mapper = JsonMapper.builder().build();

	@LocalServerPort
	int port;

	@Autowired
	WebTestClient web;

	@BeforeEach
	void presentTheGatewayKey() {
		this.web = GatewayKey.presentedBy(this.web);
	}

	@DynamicPropertySource
	static void upstreamProperties(DynamicPropertyRegistry registry) throws IOException {
		GatewayKey.register(registry);
		registry.add("ferry.providers.openai.base-url", () -> upstream.url("/v1").toString());
		MockUpstreams.withoutStatusCache(registry, "openai");
		MockUpstreams.withoutStatusCache(registry, "byo");
		registry.add("ferry.providers.openai.api-key", () -> "sk-upstream");
		registry.add("ferry.providers.openai.response-timeout", () -> "2s");
		registry.add("ferry.providers.byo.type", () -> "openai");
		registry.add("ferry.providers.byo.base-url", () -> upstream.url("/v1").toString());
		Path storage = Files.createTempDirectory("ferry-openai-it");
		registry.add("ferry.storage.path", storage::toString);
	}

	@AfterEach
	void nothingLeftQueued() throws InterruptedException {
		MockUpstreams.assertNothingLeft(upstream);
	}

	@AfterAll
	static void stopUpstream() {
		upstream.close();
	}

	@Test
	void uploadStreamsTheMultipartFormToTheUpstreamWithTheConfiguredKey() throws Exception {
		MockUpstreams.enqueueJson(upstream, 200, fileJson("file-up", "batch"));
		FileObject file = OpenAiClients.ferry(this.port, null)
			.files()
			.create(FileCreateParams.builder()
				.file("{\"custom_id\":\"a\"}\n".getBytes(StandardCharsets.UTF_8))
				.purpose(FilePurpose.BATCH)
				.build());
		assertThat(file.id()).isEqualTo("file-up");
		RecordedRequest request = MockUpstreams.take(upstream);
		assertThat(request.getMethod()).isEqualTo("POST");
		assertThat(request.getTarget()).isEqualTo("/v1/files");
		assertThat(request.getHeaders().get("Authorization")).isEqualTo("Bearer sk-upstream");
		assertThat(request.getHeaders().get("Content-Type")).startsWith("multipart/form-data");
		String form = request.getBody().utf8();
		assertThat(form).contains("name=\"purpose\"", "batch", "name=\"file\"; filename=\"upload.jsonl\"",
				"{\"custom_id\":\"a\"}");
		assertThat(form).doesNotContain("name=\"provider\"");
	}

	@Test
	void theUnifiedUploadRoutesByItsProviderFieldWithoutForwardingIt() throws Exception {
		MockUpstreams.enqueueJson(upstream, 200, fileJson("file-routed", "batch"));
		MultipartBodyBuilder form = new MultipartBodyBuilder();
		form.part("provider", "openai");
		form.part("purpose", "batch");
		form.part("file", new ByteArrayResource("{}\n".getBytes(StandardCharsets.UTF_8)) {
			@Override
			public String getFilename() {
				return "mine.jsonl";
			}
		});
		this.web.post()
			.uri("/v1/files")
			.body(BodyInserters.fromMultipartData(form.build()))
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody()
			.jsonPath("$.id")
			.isEqualTo("file-routed")
			.jsonPath("$.extra_fields.provider")
			.isEqualTo("openai");
		String sent = MockUpstreams.take(upstream).getBody().utf8();
		assertThat(sent).contains("name=\"purpose\"", "filename=\"mine.jsonl\"").doesNotContain("name=\"provider\"");
	}

	@Test
	void createPassesTheBodyThroughWithFieldsFerryDoesNotKnow() throws Exception {
		MockUpstreams.enqueueJson(upstream, 200,
				batchJson("batch_1", "validating").replace("{", "{\"future_field\":\"kept\","));
		Batch batch = client().batches()
			.create(BatchCreateParams.builder()
				.inputFileId("file-in")
				.endpoint(BatchCreateParams.Endpoint.V1_CHAT_COMPLETIONS)
				.completionWindow(BatchCreateParams.CompletionWindow._24H)
				.putAdditionalBodyProperty("output_expires_after",
						JsonValue.from(Map.of("anchor", "created_at", "seconds", 3600)))
				.build());
		assertThat(batch.id()).isEqualTo("batch_1");
		assertThat(batch._additionalProperties()).containsEntry("future_field", JsonValue.from("kept"));
		RecordedRequest request = MockUpstreams.take(upstream);
		assertThat(request.getTarget()).isEqualTo("/v1/batches");
		JsonNode sent = this.mapper.readTree(request.getBody().utf8());
		assertThat(sent.path("input_file_id").asString()).isEqualTo("file-in");
		assertThat(sent.path("endpoint").asString()).isEqualTo("/v1/chat/completions");
		assertThat(sent.path("output_expires_after").path("seconds").asInt()).isEqualTo(3600);
	}

	@Test
	void retrieveAndCancelReachTheUpstreamPaths() throws Exception {
		MockUpstreams.enqueueJson(upstream, 200, batchJson("batch_7", "in_progress"));
		MockUpstreams.enqueueJson(upstream, 200, batchJson("batch_7", "cancelling"));
		assertThat(client().batches().retrieve("batch_7").status()).isEqualTo(Batch.Status.IN_PROGRESS);
		assertThat(client().batches().cancel("batch_7").status()).isEqualTo(Batch.Status.CANCELLING);
		assertThat(MockUpstreams.take(upstream).getTarget()).isEqualTo("/v1/batches/batch_7");
		RecordedRequest cancel = MockUpstreams.take(upstream);
		assertThat(cancel.getMethod()).isEqualTo("POST");
		assertThat(cancel.getTarget()).isEqualTo("/v1/batches/batch_7/cancel");
	}

	@Test
	void listAutoPaginatesAcrossUpstreamPages() throws Exception {
		MockUpstreams.enqueueJson(upstream, 200,
				"{\"object\":\"list\",\"data\":[" + batchJson("batch_a", "completed") + ","
						+ batchJson("batch_b", "completed")
						+ "],\"first_id\":\"batch_a\",\"last_id\":\"batch_b\",\"has_more\":true}");
		MockUpstreams.enqueueJson(upstream, 200, "{\"object\":\"list\",\"data\":[" + batchJson("batch_c", "failed")
				+ "],\"first_id\":\"batch_c\",\"last_id\":\"batch_c\",\"has_more\":false}");
		List<String> ids = client().batches()
			.list(BatchListParams.builder().limit(2).build())
			.autoPager()
			.stream()
			.map(Batch::id)
			.toList();
		assertThat(ids).containsExactly("batch_a", "batch_b", "batch_c");
		assertThat(MockUpstreams.take(upstream).getTarget()).isEqualTo("/v1/batches?limit=2");
		assertThat(MockUpstreams.take(upstream).getTarget()).isEqualTo("/v1/batches?limit=2&after=batch_b");
	}

	@Test
	void fileContentStreamsTheUpstreamBytes() throws Exception {
		String output = "{\"custom_id\":\"a\"}\n{\"custom_id\":\"b\"}\n";
		upstream.enqueue(new MockResponse.Builder().code(200)
			.addHeader("Content-Type", "application/octet-stream")
			.chunkedBody(output, 7)
			.build());
		try (var response = client().files().content("file-out")) {
			assertThat(new String(response.body().readAllBytes(), StandardCharsets.UTF_8)).isEqualTo(output);
		}
		RecordedRequest request = MockUpstreams.take(upstream);
		assertThat(request.getTarget()).isEqualTo("/v1/files/file-out/content");
	}

	@Test
	void fileListAndDeleteReachTheUpstream() throws Exception {
		MockUpstreams.enqueueJson(upstream, 200, "{\"object\":\"list\",\"data\":[" + fileJson("file-1", "batch")
				+ "],\"first_id\":\"file-1\",\"last_id\":\"file-1\",\"has_more\":false}");
		MockUpstreams.enqueueJson(upstream, 200, fileJson("file-1", "batch"));
		MockUpstreams.enqueueJson(upstream, 200, "{\"id\":\"file-1\",\"object\":\"file\",\"deleted\":true}");
		assertThat(client().files().list().data()).extracting(FileObject::id).containsExactly("file-1");
		assertThat(client().files().retrieve("file-1").purpose()).isEqualTo(FileObject.Purpose.BATCH);
		assertThat(client().files().delete("file-1").deleted()).isTrue();
		assertThat(MockUpstreams.take(upstream).getTarget()).isEqualTo("/v1/files?limit=10000");
		assertThat(MockUpstreams.take(upstream).getTarget()).isEqualTo("/v1/files/file-1");
		RecordedRequest delete = MockUpstreams.take(upstream);
		assertThat(delete.getMethod()).isEqualTo("DELETE");
		assertThat(delete.getTarget()).isEqualTo("/v1/files/file-1");
	}

	@Test
	void upstreamErrorsKeepTheirStatusAndMessage() throws Exception {
		MockUpstreams.enqueueJson(upstream, 404,
				"{\"error\":{\"message\":\"No such Batch: batch_gone\",\"type\":\"invalid_request_error\","
						+ "\"param\":\"batch_id\",\"code\":null}}");
		MockUpstreams.enqueueJson(upstream, 500,
				"{\"error\":{\"message\":\"boom\",\"type\":\"server_error\",\"param\":null,\"code\":null}}");
		NotFoundException notFound = catchThrowableOfType(NotFoundException.class,
				() -> client().batches().retrieve("batch_gone"));
		assertThat(notFound.getMessage()).contains("No such Batch: batch_gone");
		assertThat(notFound.param()).contains("batch_id");
		OpenAIServiceException serverError = catchThrowableOfType(OpenAIServiceException.class,
				() -> client().batches().retrieve("batch_boom"));
		assertThat(serverError.statusCode()).isEqualTo(500);
		assertThat(serverError.getMessage()).contains("boom");
		MockUpstreams.take(upstream);
		MockUpstreams.take(upstream);
	}

	@Test
	void aSlowUpstreamGetsAGatewayTimeout() throws Exception {
		upstream.enqueue(new MockResponse.Builder().code(200)
			.body(batchJson("batch_slow", "in_progress"))
			.headersDelay(4, TimeUnit.SECONDS)
			.build());
		OpenAIServiceException timeout = catchThrowableOfType(OpenAIServiceException.class,
				() -> client().batches().retrieve("batch_slow"));
		assertThat(timeout.statusCode()).isEqualTo(504);
		assertThat(timeout.code()).contains("upstream_timeout");
		MockUpstreams.take(upstream);
	}

	@Test
	void hostileIdsAreRefusedBeforeAnythingGoesUpstream() {
		for (String path : List.of("/openai/v1/batches/batch_1%2F..%2Ffiles", "/openai/v1/files/file-1%3Fx=1/content",
				"/openai/v1/batches/batch%0Aevil/cancel", "/openai/v1/files/..%2F..%2Fbatches")) {
			String method = path.endsWith("/cancel") ? "POST" : "GET";
			this.web.method(HttpMethod.valueOf(method))
				.uri(URI.create("http://localhost:" + this.port + path))
				.exchange()
				.expectStatus()
				.isBadRequest()
				.expectBody()
				.jsonPath("$.error.type")
				.isEqualTo("invalid_request_error")
				.jsonPath("$.error.message")
				.value((String message) -> assertThat(message).contains("expected: an id of provider 'openai'"));
		}
	}

	@Test
	void inlineRequestsAreUploadedAsJsonlThenTheBatchIsCreated() throws Exception {
		MockUpstreams.enqueueJson(upstream, 200, fileJson("file-inline", "batch"));
		MockUpstreams.enqueueJson(upstream, 200, batchJson("batch_inline", "validating"));
		this.web.post().uri("/openai/v1/batches").contentType(MediaType.APPLICATION_JSON).bodyValue("""
				{"model":"openai/gpt-4o-mini","endpoint":"/v1/chat/completions","completion_window":"24h",
				 "requests":[{"custom_id":"q1","params":{"messages":[{"role":"user","content":"hi"}]}},
				             {"custom_id":"q2","params":{"messages":[{"role":"user","content":"yo"}]}}]}
				""").exchange().expectStatus().isOk().expectBody().jsonPath("$.id").isEqualTo("batch_inline");
		String form = MockUpstreams.take(upstream).getBody().utf8();
		assertThat(form).contains("name=\"purpose\"", "batch_requests.jsonl",
				"{\"custom_id\":\"q1\",\"method\":\"POST\",\"url\":\"/v1/chat/completions\",\"body\":{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"model\":\"gpt-4o-mini\"}}\n",
				"{\"custom_id\":\"q2\"");
		JsonNode created = this.mapper.readTree(MockUpstreams.take(upstream).getBody().utf8());
		assertThat(created.path("input_file_id").asString()).isEqualTo("file-inline");
		assertThat(created.has("requests")).isFalse();
		assertThat(created.has("model")).isFalse();
	}

	@Test
	void aProviderWithoutAKeyForwardsTheCallersOwnCredentials() throws Exception {
		MockUpstreams.enqueueJson(upstream, 200, batchJson("batch_byo", "completed"));
		OpenAiClients.ferry(this.port, "byo", "sk-caller").batches().retrieve("batch_byo");
		assertThat(MockUpstreams.take(upstream).getHeaders().get("Authorization")).isEqualTo("Bearer sk-caller");
	}

	@Test
	void theUnifiedApiAnswersInItsOwnShapeWithExtraFields() throws Exception {
		MockUpstreams.enqueueJson(upstream, 200, batchJson("batch_u", "in_progress"));
		this.web.get()
			.uri("/v1/batches/batch_u?provider=openai")
			.header("x-ferry-include-raw", "true")
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody()
			.jsonPath("$.id")
			.isEqualTo("batch_u")
			.jsonPath("$.status")
			.isEqualTo("in_progress")
			.jsonPath("$.request_counts.pending")
			.isEqualTo(1)
			.jsonPath("$.extra_fields.provider")
			.isEqualTo("openai")
			.jsonPath("$.extra_fields.request_type")
			.isEqualTo("batch_retrieve")
			.jsonPath("$.extra_fields.latency")
			.isNumber()
			.jsonPath("$.raw_response.id")
			.isEqualTo("batch_u");
		MockUpstreams.take(upstream);
	}

	@Test
	void upstreamErrorsInTheUnifiedApiNameTheProvider() throws Exception {
		// A wait longer than the retry policy's longest is the caller's to honour, at
		// once.
		upstream.enqueue(new MockResponse.Builder().code(429)
			.addHeader("Content-Type", "application/json")
			.addHeader("Retry-After", "60")
			.body("{\"error\":{\"message\":\"Rate limit reached\",\"type\":\"rate_limit_error\","
					+ "\"param\":null,\"code\":\"rate_limit_exceeded\"}}")
			.build());
		this.web.get()
			.uri("/v1/batches?provider=openai")
			.exchange()
			.expectStatus()
			.isEqualTo(429)
			.expectHeader()
			.valueEquals("Retry-After", "60")
			.expectBody()
			.jsonPath("$.error.message")
			.isEqualTo("Rate limit reached")
			.jsonPath("$.error.code")
			.isEqualTo("rate_limit_exceeded")
			.jsonPath("$.extra_fields.provider")
			.isEqualTo("openai");
		MockUpstreams.take(upstream);
	}

	private OpenAIClient client() {
		return OpenAiClients.ferry(this.port, null);
	}

}
