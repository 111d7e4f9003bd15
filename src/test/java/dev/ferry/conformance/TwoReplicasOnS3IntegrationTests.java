package dev.ferry.conformance;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import com.anthropic.client.AnthropicClient;
import com.anthropic.client.okhttp.AnthropicOkHttpClient;
import com.openai.client.OpenAIClient;
import com.openai.models.batches.Batch;
import com.openai.models.batches.BatchCreateParams;
import com.openai.models.batches.BatchListParams;
import com.openai.models.files.FileCreateParams;
import com.openai.models.files.FilePurpose;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import dev.ferry.support.GatewayKey;
import dev.ferry.support.MockUpstreams;
import dev.ferry.support.OpenAiBatches;
import dev.ferry.support.OpenAiClients;
import dev.ferry.support.ResultsUpstream;
import dev.ferry.support.S3Server;
import dev.ferry.support.StandaloneFerry;

import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two Ferry replicas on one S3 store (s3proxy, in this JVM), driven by the official SDKs:
 * whatever one replica creates, the other serves, on openai (files upstream), anthropic
 * (files, batch records and custom_id tables held by Ferry, minted ids) and the sandbox
 * (all its state in the store); idempotency keys, result spools and cursors hold across
 * both, across a replica stopped mid-download, and across a restart of both.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TwoReplicasOnS3IntegrationTests {

	private static final String BUCKET = "ferry-state";

	static final OpenAiReplica openAi = new OpenAiReplica(
			OpenAiReplica.Quirks.openAi("/v1", "sk-openai", Set.of("/v1/chat/completions")));

	static final AnthropicReplica anthropic = new AnthropicReplica("sk-ant-key");

	static final ResultsUpstream results = new ResultsUpstream().completed("batch_bulk", 2000, 0, 300)
		.slow("batch_slow", 3000, 400_000);

	static final MockWebServer bulk = MockUpstreams.started();

	static S3Server s3;

	static ConfigurableApplicationContext a;

	static ConfigurableApplicationContext b;

	private final JsonMapper mapper = JsonMapper.builder().build();

	@BeforeAll
	static void start() {
		bulk.setDispatcher(results);
		s3 = S3Server.start(BUCKET);
		a = replica();
		b = replica();
	}

	@AfterAll
	static void stop() {
		b.close();
		a.close();
		s3.close();
		bulk.close();
	}

	@Test
	@Order(1)
	void anOpenAiBatchCreatedOnOneReplicaIsServedByTheOther() throws Exception {
		Batch ended = createdOnAFollowedOnB("openai", "gpt-4o-mini", 3);
		gateway(b).delete().uri("/v1/batches/" + ended.id() + "?provider=openai").exchange().expectStatus().isOk();
		assertThat(openAi.violations()).isEmpty();
	}

	@Test
	@Order(2)
	void anAnthropicBatchFromAnOpenAiFileIsServedByTheOther() throws Exception {
		Batch ended = createdOnAFollowedOnB("anthropic", "claude-haiku-4-5", 3);
		assertThat(ended.id()).as("a minted id").doesNotStartWith("msgbatch_");
		assertThat(OpenAiClients.ferry(port(b), "anthropic").files().retrieve(ended.inputFileId()).id())
			.as("a file held by Ferry")
			.isEqualTo(ended.inputFileId());
		gateway(b).delete().uri("/v1/batches/" + ended.id() + "?provider=anthropic").exchange().expectStatus().isOk();
		String nativeId = anthropicSdk(a).messages()
			.batches()
			.create(com.anthropic.models.messages.batches.BatchCreateParams.builder()
				.addRequest(com.anthropic.models.messages.batches.BatchCreateParams.Request.builder()
					.customId("n1")
					.params(com.anthropic.models.messages.batches.BatchCreateParams.Request.Params.builder()
						.model("claude-haiku-4-5")
						.maxTokens(16)
						.addUserMessage("Hello")
						.build())
					.build())
				.build())
			.id();
		assertThat(anthropicSdk(b).messages().batches().retrieve(nativeId).id()).as("a native id, served by B")
			.isEqualTo(nativeId);
		assertThat(anthropic.violations()).isEmpty();
	}

	@Test
	@Order(3)
	void aSandboxBatchLivesInTheStoreAndEitherReplicaServesIt() throws Exception {
		Batch ended = createdOnAFollowedOnB("sandbox", "echo-1", 5);
		assertThat(ended.status().asString()).isEqualTo("completed");
		assertThat(OpenAiClients.ferry(port(a), "sandbox").batches().retrieve(ended.id()).outputFileId())
			.as("both replicas name the same output file")
			.isEqualTo(ended.outputFileId());
	}

	@Test
	@Order(4)
	void oneIdempotencyKeySentToBothReplicasAtOnceCreatesOneBatch() throws Exception {
		String fileId = OpenAiClients.ferry(port(a), "openai")
			.files()
			.create(FileCreateParams.builder().file(lines("gpt-4o-mini", 1)).purpose(FilePurpose.BATCH).build())
			.id();
		openAi.clearLog();
		BatchCreateParams create = BatchCreateParams.builder()
			.putAdditionalHeader("Idempotency-Key", "one-key")
			.inputFileId(fileId)
			.endpoint(BatchCreateParams.Endpoint.V1_CHAT_COMPLETIONS)
			.completionWindow(BatchCreateParams.CompletionWindow._24H)
			.build();
		ExecutorService callers = Executors.newFixedThreadPool(8);
		try {
			List<Future<String>> answers = new ArrayList<>();
			for (int i = 0; i < 8; i++) {
				ConfigurableApplicationContext replica = (i % 2 == 0) ? a : b;
				answers.add(callers.submit((Callable<String>) () -> {
					try {
						return OpenAiClients.ferry(port(replica), "openai").batches().create(create).id();
					}
					catch (RuntimeException ex) {
						return "refused: " + ex.getMessage();
					}
				}));
			}
			Set<String> created = new HashSet<>();
			for (Future<String> answer : answers) {
				String id = answer.get();
				if (!id.startsWith("refused")) {
					created.add(id);
				}
				else {
					assertThat(id).as("a caller that lost the race is told the key is in use").contains("409");
				}
			}
			assertThat(created).as("every answered caller got the same batch").hasSize(1);
		}
		finally {
			callers.shutdownNow();
		}
		assertThat(openAi.received())
			.filteredOn(
					(request) -> request.getMethod().equals("POST") && request.getTarget().startsWith("/v1/batches"))
			.as("creates that reached the upstream")
			.hasSize(1);
	}

	@Test
	@Order(5)
	void pagingAlternatelyOnBothReplicasReadsTheOutputOnce() {
		long before = results.bytesSent();
		List<String> ids = new ArrayList<>();
		String cursor = null;
		int page = 0;
		do {
			JsonNode body = resultsPage((page++ % 2 == 0) ? a : b, "batch_bulk", cursor, 37);
			body.path("results").forEach((item) -> ids.add(item.path("custom_id").asString()));
			cursor = body.path("has_more").asBoolean() ? body.path("next_cursor").asString() : null;
		}
		while (cursor != null);
		assertThat(new HashSet<>(ids)).hasSize(2000).hasSize(ids.size());
		long output = 0;
		for (int i = 1; i <= 2000; i++) {
			output += ResultsUpstream.outputLineLength(i, 300);
		}
		double ratio = (double) (results.bytesSent() - before) / output;
		assertThat(ratio).as("upstream bytes read per byte of output").isLessThanOrEqualTo(1.05);
		assertThat(results.outputDownloads("batch_bulk")).isEqualTo(1);
	}

	@Test
	@Order(6)
	void whenTheDownloadingReplicaStopsTheOtherFinishesTheTraversal() {
		List<String> ids = new ArrayList<>();
		ConfigurableApplicationContext doomed = replica();
		String cursor;
		try {
			JsonNode first = resultsPage(doomed, "batch_slow", null, 50);
			first.path("results").forEach((item) -> ids.add(item.path("custom_id").asString()));
			cursor = first.path("next_cursor").asString();
		}
		finally {
			doomed.close();
		}
		do {
			JsonNode body = resultsPage(b, "batch_slow", cursor, 500);
			body.path("results").forEach((item) -> ids.add(item.path("custom_id").asString()));
			cursor = body.path("has_more").asBoolean() ? body.path("next_cursor").asString() : null;
		}
		while (cursor != null);
		assertThat(ids).hasSize(3000);
		assertThat(new HashSet<>(ids)).as("every custom_id exactly once").hasSize(3000);
		assertThat(results.outputDownloads("batch_slow")).as("the stopped replica's download, then the takeover")
			.isEqualTo(2);
	}

	@Test
	@Order(7)
	void afterBothReplicasRestartEveryBatchFileAndCursorStillWorks() throws Exception {
		String openAiBatch = createThroughOpenAiSdk(OpenAiClients.ferry(port(a), "openai"), "gpt-4o-mini", 2);
		String anthropicBatch = createThroughOpenAiSdk(OpenAiClients.ferry(port(b), "anthropic"), "claude-haiku-4-5",
				2);
		String sandboxBatch = createThroughOpenAiSdk(OpenAiClients.ferry(port(a), "sandbox"), "echo-1", 2);
		JsonNode firstPage = resultsPage(b, "batch_bulk", null, 100);
		String cursor = firstPage.path("next_cursor").asString();
		b.close();
		a.close();
		a = replica();
		b = replica();
		for (String provider : List.of("openai", "anthropic", "sandbox")) {
			String id = switch (provider) {
				case "openai" -> openAiBatch;
				case "anthropic" -> anthropicBatch;
				default -> sandboxBatch;
			};
			Batch ended = awaitEnd(OpenAiClients.ferry(port(b), provider), id);
			assertThat(customIds(OpenAiClients.ferry(port(a), provider), ended)).as(provider)
				.containsExactlyInAnyOrder("q0", "q1");
		}
		JsonNode next = resultsPage(a, "batch_bulk", cursor, 100);
		assertThat(next.path("results").get(0).path("custom_id").asString()).isEqualTo("ok-101");
		assertThat(results.outputDownloads("batch_bulk")).as("the spool outlived both replicas").isEqualTo(1);
	}

	/**
	 * Creates a batch on A through the OpenAI SDK, then lists, retrieves and reads it
	 * (its output files and its result pages) on B; a second batch created on A is
	 * cancelled on B.
	 * @return the first batch, ended
	 */
	private Batch createdOnAFollowedOnB(String provider, String model, int requests) throws Exception {
		OpenAIClient onA = OpenAiClients.ferry(port(a), provider);
		OpenAIClient onB = OpenAiClients.ferry(port(b), provider);
		String id = createThroughOpenAiSdk(onA, model, requests);
		assertThat(onB.batches().list(BatchListParams.builder().limit(100).build()).data()).extracting(Batch::id)
			.contains(id);
		Batch ended = awaitEnd(onB, id);
		Set<String> expected = new HashSet<>();
		for (int i = 0; i < requests; i++) {
			expected.add("q" + i);
		}
		assertThat(customIds(onB, ended)).isEqualTo(expected);
		assertThat(unifiedResultIds(b, id, provider)).isEqualTo(expected);
		String toCancel = createThroughOpenAiSdk(onA, model, 1);
		onB.batches().cancel(toCancel);
		assertThat(awaitEnd(onA, toCancel).status().asString()).isEqualTo("cancelled");
		return ended;
	}

	private static ConfigurableApplicationContext replica() {
		List<String> arguments = new ArrayList<>(List.of("--server.port=0",
				"--ferry.providers.openai.base-url=" + openAi.baseUrl(), "--ferry.providers.openai.api-key=sk-openai",
				"--ferry.providers.anthropic.base-url=" + anthropic.baseUrl(),
				"--ferry.providers.anthropic.api-key=sk-ant-key", "--ferry.providers.bulk.type=openai",
				"--ferry.providers.bulk.base-url=" + bulk.url("/v1"), "--ferry.providers.bulk.api-key=sk-bulk",
				"--ferry.providers.sandbox.processing-time=400ms", "--ferry.results.spool.segment-size=64KB",
				"--ferry.results.spool.lease-duration=2s", "--ferry.results.spool.poll-interval=50ms"));
		for (String provider : List.of("openai", "anthropic", "sandbox")) {
			arguments.add("--ferry.providers." + provider + ".status-cache.running-ttl=0s");
			arguments.add("--ferry.providers." + provider + ".status-cache.ended-ttl=0s");
		}
		arguments.addAll(s3.ferryArguments(BUCKET, "ferry/"));
		return StandaloneFerry.start(GatewayKey.arguments(arguments.toArray(String[]::new)));
	}

	private static int port(ConfigurableApplicationContext replica) {
		return ((WebServerApplicationContext) replica).getWebServer().getPort();
	}

	private static byte[] lines(String model, int count) {
		List<String> texts = new ArrayList<>();
		for (int i = 0; i < count; i++) {
			texts.add("Hello " + i);
		}
		return OpenAiBatches.chatLines(model, texts);
	}

	private static String createThroughOpenAiSdk(OpenAIClient client, String model, int requests) {
		return OpenAiBatches.create(client, lines(model, requests));
	}

	private static Batch awaitEnd(OpenAIClient client, String id) throws InterruptedException {
		long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
		while (System.nanoTime() < deadline) {
			Batch batch = client.batches().retrieve(id);
			if (Set.of("completed", "failed", "expired", "cancelled").contains(batch.status().asString())) {
				return batch;
			}
			Thread.sleep(50);
		}
		throw new AssertionError("batch " + id + " did not end");
	}

	private Set<String> customIds(OpenAIClient client, Batch batch) throws Exception {
		Set<String> ids = new HashSet<>();
		for (String fileId : java.util.stream.Stream.of(batch.outputFileId(), batch.errorFileId())
			.flatMap(java.util.Optional::stream)
			.toList()) {
			try (var content = client.files().content(fileId)) {
				new String(content.body().readAllBytes(), StandardCharsets.UTF_8).lines()
					.filter((line) -> !line.isBlank())
					.forEach((line) -> assertThat(ids.add(this.mapper.readTree(line).path("custom_id").asString()))
						.isTrue());
			}
		}
		return ids;
	}

	private Set<String> unifiedResultIds(ConfigurableApplicationContext replica, String id, String provider) {
		Set<String> ids = new HashSet<>();
		String cursor = null;
		do {
			JsonNode page = resultsPage(replica, provider, id, cursor, 1);
			page.path("results").forEach((item) -> assertThat(ids.add(item.path("custom_id").asString())).isTrue());
			cursor = page.path("has_more").asBoolean() ? page.path("next_cursor").asString() : null;
		}
		while (cursor != null);
		return ids;
	}

	private JsonNode resultsPage(ConfigurableApplicationContext replica, String batch, String cursor, int limit) {
		return resultsPage(replica, "bulk", batch, cursor, limit);
	}

	private JsonNode resultsPage(ConfigurableApplicationContext replica, String provider, String batch, String cursor,
			int limit) {
		return this.mapper.readTree(gateway(replica).get()
			.uri("/v1/batches/" + batch + "/results?provider=" + provider + "&limit=" + limit
					+ ((cursor != null) ? "&cursor=" + cursor : ""))
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody()
			.returnResult()
			.getResponseBody());
	}

	private static WebTestClient gateway(ConfigurableApplicationContext replica) {
		return WebTestClient.bindToServer()
			.baseUrl("http://localhost:" + port(replica))
			.defaultHeader("Authorization", GatewayKey.BEARER)
			.responseTimeout(Duration.ofSeconds(60))
			.codecs((codecs) -> codecs.defaultCodecs().maxInMemorySize(8 * 1024 * 1024))
			.build();
	}

	private static AnthropicClient anthropicSdk(ConfigurableApplicationContext replica) {
		return AnthropicOkHttpClient.builder()
			.baseUrl("http://localhost:" + port(replica) + "/anthropic")
			.apiKey(GatewayKey.KEY)
			.maxRetries(0)
			.timeout(Duration.ofSeconds(30))
			.build();
	}

}
