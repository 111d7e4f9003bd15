package dev.ferry.conformance;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Set;

import com.anthropic.client.AnthropicClient;
import com.anthropic.models.messages.batches.MessageBatch;
import com.anthropic.models.messages.batches.MessageBatchIndividualResponse;
import com.openai.client.OpenAIClient;
import com.openai.models.batches.Batch;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import dev.ferry.support.AnthropicBatches;
import dev.ferry.support.GatewayKey;
import dev.ferry.support.MockUpstreams;
import dev.ferry.support.OpenAiBatches;
import dev.ferry.support.OpenAiClients;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What Vertex AI and Cloud Storage receive, exactly, for batches run through the official
 * OpenAI and Anthropic SDKs on Gemini and Claude models: the staged lines in each model's
 * shape (the {@code custom_id} in a Gemini request's labels, encoded where it cannot be a
 * label value), the batch prediction job, every output shard read back as OpenAI lines
 * and Anthropic results, the staged objects deleted with the batch, and the OAuth token
 * refreshed during a long results read.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@AutoConfigureWebTestClient(timeout = "30s")
class VertexIntegrationTests {

	static final VertexReplica vertex = new VertexReplica();

	private static final String JOBS = "/v1/projects/ferry-test/locations/us-central1/batchPredictionJobs";

	private final JsonMapper mapper = JsonMapper.builder().build();

	@LocalServerPort
	int port;

	@Autowired
	WebTestClient web;

	@DynamicPropertySource
	static void providers(DynamicPropertyRegistry registry) throws Exception {
		GatewayKey.register(registry);
		String storage = java.nio.file.Files.createTempDirectory("ferry-vertex").toString();
		registry.add("ferry.storage.path", () -> storage);
		MockUpstreams.withoutStatusCache(registry, "vertex");
		vertex.register(registry, "vertex");
		// A second provider on the same project, whose tokens the refresh test controls
		// from its first one.
		vertex.register(registry, "vertex-refreshing");
		registry.add("ferry.providers.vertex-refreshing.type", () -> "vertex");
		MockUpstreams.withoutStatusCache(registry, "vertex-refreshing");
	}

	@BeforeEach
	void clearLog() {
		vertex.clearLog();
		vertex.tokens().lifetime(3600);
	}

	@AfterEach
	void replicaRefusedNothing() {
		assertThat(vertex.violations()).isEmpty();
	}

	@Test
	void geminiLinesCarryTheirIdsInLabelsAndEveryShardIsReadBack() throws Exception {
		OpenAIClient client = OpenAiClients.ferry(this.port, "vertex");
		String lines = chatLine("plain-id_1", "a") + chatLine("Mixed Case/ID", "FAIL b")
				+ chatLine("x".repeat(64), "c");
		String id = OpenAiBatches.create(client, lines.getBytes(StandardCharsets.UTF_8));
		List<RecordedRequest> received = vertex.received();
		assertThat(received).extracting((request) -> request.getMethod() + " " + request.getUrl().encodedPath())
			.containsExactly("POST /upload/storage/v1/b/ferry-staging/o", "POST " + JOBS);
		String object = received.get(0).getUrl().queryParameter("name");
		assertThat(object).startsWith("kit/").endsWith("/input.jsonl");
		List<JsonNode> staged = vertex.lines(object);
		assertThat(staged.get(0)).isEqualTo(this.mapper.readTree("""
				{"request":{"contents":[{"role":"user","parts":[{"text":"a"}]}],
				 "generationConfig":{"maxOutputTokens":16},"labels":{"ferry_custom_id":"plain-id_1"}}}"""));
		assertThat(staged.get(1).at("/request/labels").propertyNames()).containsExactly("ferry_custom_id_b32_0");
		assertThat(staged.get(2).at("/request/labels").propertyNames()).containsExactly("ferry_custom_id_b32_0",
				"ferry_custom_id_b32_1");
		JsonNode job = this.mapper.readTree(received.get(1).getBody().utf8());
		assertThat(job.path("model").asString()).isEqualTo("publishers/google/models/gemini-2.5-flash");
		assertThat(job.at("/inputConfig/gcsSource/uris/0").asString()).isEqualTo("gs://ferry-staging/" + object);
		assertThat(job.at("/outputConfig/gcsDestination/outputUriPrefix").asString())
			.isEqualTo("gs://ferry-staging/" + object.replace("input.jsonl", "output/"));

		Batch done = OpenAiBatches.awaitEnd(client, id, Duration.ofSeconds(20));
		assertThat(done.status()).isEqualTo(Batch.Status.COMPLETED);
		assertThat(done.requestCounts().get().completed()).isEqualTo(2);
		assertThat(OpenAiBatches.lines(client, done.outputFileId().get()))
			.extracting((line) -> line.path("custom_id").asString() + " "
					+ line.at("/response/body/choices/0/message/content").asString())
			.containsExactlyInAnyOrder("plain-id_1 echo: a", "x".repeat(64) + " echo: c");
		assertThat(OpenAiBatches.lines(client, done.errorFileId().get())).singleElement().satisfies((line) -> {
			assertThat(line.path("custom_id").asString()).isEqualTo("Mixed Case/ID");
			assertThat(line.at("/error/code").asString()).isEqualTo("INVALID_ARGUMENT");
			assertThat(line.at("/error/message").asString()).isEqualTo("the replica refused it");
		});

		GatewayKey.presentedBy(this.web)
			.delete()
			.uri("/v1/batches/" + id + "?provider=vertex")
			.exchange()
			.expectStatus()
			.isOk();
		assertThat(vertex.deleted(dev.ferry.batch.FerryIds.decode("batch_", id).orElseThrow().nativeId())).isTrue();
		String folder = object.substring(0, object.length() - "input.jsonl".length());
		assertThat(vertex.objectNames()).as("the staged input and every prediction shard are deleted")
			.noneMatch((name) -> name.startsWith(folder));
	}

	@Test
	void claudeLinesAreAnthropicParamsAndTheirMessagesComeBackAsCompletions() throws Exception {
		OpenAIClient client = OpenAiClients.ferry(this.port, "vertex");
		String lines = new String(OpenAiBatches.chatLines("claude-sonnet-4-5@20250929", List.of("a", "FAIL b")),
				StandardCharsets.UTF_8);
		String id = OpenAiBatches.create(client, lines.getBytes(StandardCharsets.UTF_8));
		String object = vertex.received().get(0).getUrl().queryParameter("name");
		assertThat(vertex.lines(object).get(0)).isEqualTo(this.mapper.readTree("""
				{"custom_id":"q0","request":{"max_tokens":16,"messages":[{"role":"user","content":[
				 {"type":"text","text":"a"}]}],"anthropic_version":"vertex-2023-10-16"}}"""));
		assertThat(this.mapper.readTree(vertex.received().get(1).getBody().utf8()).path("model").asString())
			.isEqualTo("publishers/anthropic/models/claude-sonnet-4-5@20250929");
		Batch done = OpenAiBatches.awaitEnd(client, id, Duration.ofSeconds(20));
		JsonNode output = OpenAiBatches.lines(client, done.outputFileId().get()).get(0);
		assertThat(output.path("custom_id").asString()).isEqualTo("q0");
		assertThat(output.at("/response/body/choices/0/message/content").asString()).isEqualTo("echo: a");
		assertThat(output.at("/response/body/choices/0/finish_reason").asString()).isEqualTo("stop");
		assertThat(output.at("/response/body/usage/total_tokens").asInt()).isEqualTo(5);
		assertThat(OpenAiBatches.lines(client, done.errorFileId().get())).singleElement().satisfies((line) -> {
			assertThat(line.path("custom_id").asString()).isEqualTo("q1");
			assertThat(line.at("/response/status_code").asInt()).as("Bad Request is the request's fault")
				.isEqualTo(400);
		});
	}

	@Test
	void aModelFerryDoesNotRunOnVertexIsRefusedBeforeAnythingGoesUpstream() {
		OpenAIClient client = OpenAiClients.ferry(this.port, "vertex");
		com.openai.errors.BadRequestException refused = org.assertj.core.api.Assertions.catchThrowableOfType(
				com.openai.errors.BadRequestException.class,
				() -> OpenAiBatches.create(client, OpenAiBatches.chatLines("llama-3.3-70b", List.of("a"))));
		assertThat(refused.getMessage()).contains("input file line 1", "model 'llama-3.3-70b'",
				"Gemini (gemini-…) and Claude (claude-…)");
		assertThat(vertex.received()).isEmpty();
	}

	@Test
	void theAnthropicSdkRunsABatchOnClaudeOnVertex() throws Exception {
		AnthropicClient client = AnthropicBatches.ferry(this.port);
		MessageBatch batch = AnthropicBatches.createOne(client, "vertex/claude-sonnet-4-5@20250929", "hello");
		JsonNode staged = vertex.lines(vertex.received().get(0).getUrl().queryParameter("name")).get(0);
		assertThat(staged.at("/request/system/0/text").asString()).isEqualTo("Be brief.");
		assertThat(staged.at("/request/anthropic_version").asString()).isEqualTo("vertex-2023-10-16");
		batch = AnthropicBatches.awaitEnded(client, batch, Duration.ofSeconds(20));
		List<MessageBatchIndividualResponse> results = AnthropicBatches.results(client, batch.id());
		assertThat(results).singleElement().satisfies((result) -> {
			assertThat(result.customId()).isEqualTo("m1");
			assertThat(result.result().succeeded().orElseThrow().message().content().get(0).text().orElseThrow().text())
				.isEqualTo("echo: hello");
		});
	}

	@Test
	void theTokenIsRefreshedDuringALongResultsRead() throws Exception {
		// Tokens live a second, under the minute Ferry refreshes ahead of expiry: every
		// call finds the last token stale and refreshes it.
		vertex.tokens().lifetime(1);
		OpenAIClient client = OpenAiClients.ferry(this.port, "vertex-refreshing");
		String lines = chatLine("r1", "a") + chatLine("r2", "b") + chatLine("r3", "c") + chatLine("r4", "d")
				+ chatLine("r5", "e");
		String id = OpenAiBatches.create(client, lines.getBytes(StandardCharsets.UTF_8));
		Batch done = OpenAiBatches.awaitEnd(client, id, Duration.ofSeconds(20));
		vertex.clearLog();
		int issuedBefore = vertex.tokens().issued();
		assertThat(OpenAiBatches.lines(client, done.outputFileId().get())).hasSize(5);
		List<RecordedRequest> read = vertex.received()
			.stream()
			.filter((request) -> request.getUrl().encodedPath().startsWith("/storage/"))
			.toList();
		assertThat(read).as("two pages of the listing and two shards").hasSizeGreaterThanOrEqualTo(3);
		Set<String> tokens = read.stream()
			.map((request) -> request.getHeaders().get("Authorization"))
			.collect(java.util.stream.Collectors.toSet());
		assertThat(tokens).as("a new token for each call of the read").hasSizeGreaterThan(1);
		assertThat(vertex.tokens().issued() - issuedBefore).isGreaterThanOrEqualTo(read.size());
	}

	/** A chat line as the OpenAI SDK's users write them, with its id. */
	private static String chatLine(String customId, String text) {
		return new String(OpenAiBatches.chatLines("gemini-2.5-flash", List.of(text)), StandardCharsets.UTF_8)
			.replace("\"q0\"", "\"" + customId + "\"");
	}

}
