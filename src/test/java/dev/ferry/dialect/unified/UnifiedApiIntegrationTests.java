package dev.ferry.dialect.unified;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.ArrayList;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.core.io.ByteArrayResource;
import org.springframework.http.MediaType;
import org.springframework.http.client.MultipartBodyBuilder;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.web.reactive.function.BodyInserters;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The unified API on the sandbox, driven over HTTP as curl would.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@AutoConfigureWebTestClient(timeout = "30s")
class UnifiedApiIntegrationTests {

	private final JsonMapper mapper = JsonMapper.builder().build();

	@Autowired
	WebTestClient web;

	@DynamicPropertySource
	static void sandboxProperties(DynamicPropertyRegistry registry) throws IOException {
		registry.add("ferry.providers.sandbox.processing-time", () -> "1s");
		Path storage = Files.createTempDirectory("ferry-unified-it");
		registry.add("ferry.storage.path", storage::toString);
	}

	@Test
	void theConsoleIsOffByDefault() {
		this.web.get().uri("/console/").exchange().expectStatus().isNotFound();
		this.web.get().uri("/console/api/batches").exchange().expectStatus().isNotFound();
	}

	@Test
	void runsAnInlineBatchToCompletion() throws Exception {
		JsonNode created = json(this.web.post().uri("/v1/batches").contentType(MediaType.APPLICATION_JSON).bodyValue("""
				{"model":"sandbox/echo-1","endpoint":"/v1/chat/completions","metadata":{"run":"nightly"},
				 "requests":[{"custom_id":"one","params":{"messages":[{"role":"user","content":"first"}]}},
				             {"custom_id":"two","body":{"messages":[{"role":"user","content":"second"}]}}]}
				""").exchange().expectStatus().isOk());
		assertThat(created.path("object").asString()).isEqualTo("batch");
		assertThat(created.path("completion_window").asString()).isEqualTo("24h");
		assertThat(created.path("metadata").path("run").asString()).isEqualTo("nightly");
		assertThat(created.at("/extra_fields/request_type").asString()).isEqualTo("batch_create");
		assertThat(created.at("/extra_fields/provider").asString()).isEqualTo("sandbox");
		assertThat(created.at("/extra_fields/model_requested").asString()).isEqualTo("sandbox/echo-1");
		String id = created.path("id").asString();

		JsonNode done = pollUntil(id, "completed");
		assertThat(done.path("request_counts").toString()).isEqualTo(
				"{\"total\":2,\"completed\":2,\"failed\":0,\"succeeded\":2,\"expired\":0,\"canceled\":0,\"pending\":0}");
		assertThat(done.path("model").asString()).isEqualTo("echo-1");
		for (String field : new String[] { "created_at", "in_progress_at", "finalizing_at", "completed_at",
				"expires_at" }) {
			assertThat(done.path(field).isNumber()).as(field).isTrue();
		}

		String output = this.web.get()
			.uri("/v1/files/{id}/content?provider=sandbox", done.path("output_file_id").asString())
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody(String.class)
			.returnResult()
			.getResponseBody();
		assertThat(output.lines().map(this.mapper::readTree).map((line) -> line.path("custom_id").asString()))
			.containsExactly("one", "two");
		assertThat(output).contains("echo: first", "echo: second");
	}

	@Test
	void cancelsAndListsWithPaging() throws Exception {
		String first = createInline();
		String second = createInline();
		JsonNode cancelled = json(this.web.post()
			.uri("/v1/batches/{id}/cancel?provider=sandbox", second)
			.exchange()
			.expectStatus()
			.isOk());
		assertThat(cancelled.path("status").asString()).isEqualTo("cancelling");
		assertThat(cancelled.at("/extra_fields/request_type").asString()).isEqualTo("batch_cancel");

		JsonNode page = json(
				this.web.get().uri("/v1/batches?provider=sandbox&limit=1").exchange().expectStatus().isOk());
		assertThat(page.path("object").asString()).isEqualTo("list");
		assertThat(page.path("has_more").asBoolean()).isTrue();
		assertThat(page.path("first_id").asString()).isEqualTo(second);
		JsonNode next = json(this.web.get()
			.uri("/v1/batches?provider=sandbox&limit=1&after={after}", page.path("last_id").asString())
			.exchange()
			.expectStatus()
			.isOk());
		assertThat(next.at("/data/0/id").asString()).isEqualTo(first);
		assertThat(next.at("/extra_fields/request_type").asString()).isEqualTo("batch_list");
	}

	@Test
	void uploadsRetrievesListsAndDeletesFiles() throws Exception {
		byte[] content = "{\"custom_id\":\"a\",\"method\":\"POST\",\"url\":\"/v1/embeddings\",\"body\":{\"input\":\"x\"}}\n"
			.getBytes(StandardCharsets.UTF_8);
		MultipartBodyBuilder form = new MultipartBodyBuilder();
		form.part("provider", "sandbox");
		form.part("purpose", "batch");
		form.part("file", new ByteArrayResource(content) {
			@Override
			public String getFilename() {
				return "requests.jsonl";
			}
		});
		JsonNode file = json(this.web.post()
			.uri("/v1/files")
			.body(BodyInserters.fromMultipartData(form.build()))
			.exchange()
			.expectStatus()
			.isOk());
		assertThat(file.path("filename").asString()).isEqualTo("requests.jsonl");
		assertThat(file.path("bytes").asLong()).isEqualTo(content.length);
		assertThat(file.at("/extra_fields/request_type").asString()).isEqualTo("file_upload");
		String id = file.path("id").asString();

		assertThat(json(this.web.get().uri("/v1/files/{id}?provider=sandbox", id).exchange().expectStatus().isOk())
			.path("purpose")
			.asString()).isEqualTo("batch");
		assertThat(json(this.web.get().uri("/v1/files?provider=sandbox&purpose=batch").exchange().expectStatus().isOk())
			.path("data")
			.findValuesAsString("id")).contains(id);
		JsonNode deleted = json(
				this.web.delete().uri("/v1/files/{id}?provider=sandbox", id).exchange().expectStatus().isOk());
		assertThat(deleted.path("deleted").asBoolean()).isTrue();
		this.web.get().uri("/v1/files/{id}?provider=sandbox", id).exchange().expectStatus().isNotFound();
	}

	@Test
	void theProviderIsResolvedQueryFirstThenHeaderThenBodyThenModelPrefix() {
		String body = "{\"model\":\"openai/gpt\",\"provider\":\"%s\",\"endpoint\":\"/v1/embeddings\","
				+ "\"requests\":[{\"custom_id\":\"a\",\"params\":{\"input\":\"x\"}}]}";
		// query beats header, header beats body field, body field beats the model prefix
		expectProvider(this.web.post().uri("/v1/batches?provider=sandbox").header("x-model-provider", "nope"),
				body.formatted("nope"), "sandbox");
		expectProvider(this.web.post().uri("/v1/batches").header("x-model-provider", "sandbox"), body.formatted("nope"),
				"sandbox");
		expectProvider(this.web.post().uri("/v1/batches"), body.formatted("sandbox"), "sandbox");
		this.web.post()
			.uri("/v1/batches")
			.header("x-model-provider", "nope")
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(body.formatted("sandbox"))
			.exchange()
			.expectStatus()
			.isBadRequest()
			.expectBody()
			.jsonPath("$.error.message")
			.isEqualTo("provider: 'nope' is not configured (configured: anthropic, openai, sandbox)");
	}

	private void expectProvider(WebTestClient.RequestBodySpec request, String body, String provider) {
		request.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(body)
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody()
			.jsonPath("$.extra_fields.provider")
			.isEqualTo(provider);
	}

	@Test
	void badInputGetsAClearErrorInTheUnifiedEnvelope() {
		expectError(this.web.get().uri("/v1/batches/batch_1").exchange(), 400, "provider",
				"no provider given: pass the 'provider' query parameter, the x-model-provider header, "
						+ "or a model written as 'provider/model' (configured: anthropic, openai, sandbox)");
		expectError(this.web.get().uri("/v1/batches?provider=sandbox&limit=1001").exchange(), 400, "limit",
				"limit: 1001 (expected: 1..100)");
		expectError(this.web.get().uri("/v1/files?provider=sandbox&order=sideways").exchange(), 400, "order",
				"order: 'sideways' (expected: asc or desc)");
		expectError(this.web.post().uri("/v1/batches").contentType(MediaType.APPLICATION_JSON).exchange(), 400, null,
				"body: missing (expected: a JSON object)");
		expectError(this.web.post()
			.uri("/v1/batches")
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue("{\"model\":\"sandbox/m\",\"endpoint\":\"/v1/embeddings\",\"requests\":[{\"custom_id\":\"a\"}]}")
			.exchange(), 400, "requests[0]", "requests[0]: give exactly one of 'params' or 'body'");
		this.web.get()
			.uri("/v1/unknown")
			.exchange()
			.expectStatus()
			.isNotFound()
			.expectBody()
			.jsonPath("$.error.code")
			.isEqualTo("unknown_route")
			.jsonPath("$.extra_fields.status_code")
			.isEqualTo(404);
		this.web.post()
			.uri("/v1/batches")
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue("{\"model\":\"sandbox/m\",\"endpoint\":\"/v1/embeddings\",\"input_file_id\":\"file-nope\"}")
			.exchange()
			.expectStatus()
			.isNotFound()
			.expectBody()
			.jsonPath("$.extra_fields.provider")
			.isEqualTo("sandbox");
	}

	private void expectError(WebTestClient.ResponseSpec response, int status, String param, String message) {
		response.expectStatus()
			.isEqualTo(status)
			.expectBody()
			.jsonPath("$.error.type")
			.isEqualTo("invalid_request_error")
			.jsonPath("$.error.param")
			.isEqualTo(param)
			.jsonPath("$.error.message")
			.isEqualTo(message)
			.jsonPath("$.extra_fields.status_code")
			.isEqualTo(status);
	}

	private String createInline() throws Exception {
		return json(this.web.post()
			.uri("/v1/batches")
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue("{\"model\":\"sandbox/e\",\"endpoint\":\"/v1/embeddings\","
					+ "\"requests\":[{\"custom_id\":\"a\",\"params\":{\"input\":\"x\"}}]}")
			.exchange()
			.expectStatus()
			.isOk()).path("id").asString();
	}

	@Test
	void pagesTheResultsOfASandboxBatchWithItsErrorsMerged() throws Exception {
		JsonNode created = json(this.web.post().uri("/v1/batches").contentType(MediaType.APPLICATION_JSON).bodyValue("""
				{"model":"sandbox/echo-1","endpoint":"/v1/chat/completions",
				 "requests":[{"custom_id":"a","body":{"messages":[{"role":"user","content":"first"}]}},
				             {"custom_id":"b","body":{"messages":[]}},
				             {"custom_id":"c","body":{"messages":[{"role":"user","content":"third"}]}}]}
				""").exchange().expectStatus().isOk());
		String id = created.path("id").asString();
		JsonNode running = json(this.web.get()
			.uri("/v1/batches/{id}/results?provider=sandbox", id)
			.exchange()
			.expectStatus()
			.isEqualTo(409));
		assertThat(running.at("/error/message").asString()).contains(id, "validating");
		pollUntil(id, "completed");

		JsonNode first = json(this.web.get()
			.uri("/v1/batches/{id}/results?provider=sandbox&limit=2", id)
			.exchange()
			.expectStatus()
			.isOk());
		assertThat(first.path("has_more").asBoolean()).isTrue();
		JsonNode last = json(this.web.get()
			.uri("/v1/batches/{id}/results?provider=sandbox&limit=2&cursor={cursor}", id,
					first.path("next_cursor").asString())
			.exchange()
			.expectStatus()
			.isOk());
		assertThat(last.path("has_more").asBoolean()).isFalse();
		List<JsonNode> items = new ArrayList<>();
		first.path("results").forEach(items::add);
		last.path("results").forEach(items::add);
		assertThat(items).extracting((item) -> item.path("custom_id").asString()).containsExactly("a", "c", "b");
		assertThat(items.get(0).at("/response/body/choices/0/message/content").asString()).contains("first");
		assertThat(items.get(2).at("/response/status_code").asInt()).isEqualTo(400);
		assertThat(items.get(2).at("/error/message").asString()).isNotEmpty();
	}

	private JsonNode pollUntil(String id, String status) throws Exception {
		long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
		while (System.nanoTime() < deadline) {
			JsonNode batch = json(
					this.web.get().uri("/v1/batches/{id}?provider=sandbox", id).exchange().expectStatus().isOk());
			if (batch.path("status").asString().equals(status)) {
				return batch;
			}
			Thread.sleep(200);
		}
		throw new AssertionError("batch " + id + " never reached " + status);
	}

	private JsonNode json(WebTestClient.ResponseSpec response) {
		byte[] body = response.expectBody().returnResult().getResponseBody();
		return this.mapper.readTree(body);
	}

}
