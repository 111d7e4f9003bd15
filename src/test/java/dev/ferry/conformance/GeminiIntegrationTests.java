package dev.ferry.conformance;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import com.anthropic.client.AnthropicClient;
import com.anthropic.models.messages.batches.MessageBatch;
import com.anthropic.models.messages.batches.MessageBatchIndividualResponse;
import com.openai.client.OpenAIClient;
import com.openai.errors.BadRequestException;
import com.openai.models.batches.Batch;
import mockwebserver3.MockResponseBody;
import mockwebserver3.RecordedRequest;
import okio.BufferedSink;
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
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * What Gemini receives, exactly, for batches run through the official OpenAI and
 * Anthropic SDKs: a resumable upload of {@code {key, request}} lines translated into
 * Gemini's shape, then a batch on the model's {@code :batchGenerateContent} (or
 * {@code :asyncBatchEmbedContent}); results read back as OpenAI lines and Anthropic
 * results as the responses file downloads; requests Gemini cannot take refused with their
 * line before anything goes upstream; ended batches deleted at Gemini.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@AutoConfigureWebTestClient(timeout = "30s")
class GeminiIntegrationTests {

	static final GeminiReplica gemini = new GeminiReplica("gemini-key");

	private final JsonMapper mapper = JsonMapper.builder().build();

	@LocalServerPort
	int port;

	@Autowired
	WebTestClient web;

	@DynamicPropertySource
	static void providers(DynamicPropertyRegistry registry) throws Exception {
		GatewayKey.register(registry);
		String storage = java.nio.file.Files.createTempDirectory("ferry-gemini").toString();
		registry.add("ferry.storage.path", () -> storage);
		// Usage is recorded here: its background read must use Gemini's configured key.
		registry.add("ferry.usage.enabled", () -> "true");
		MockUpstreams.withoutStatusCache(registry, "gemini");
		gemini.register(registry, "gemini");
	}

	@BeforeEach
	void clearLog() {
		gemini.clearLog();
	}

	@AfterEach
	void replicaRefusedNothing() {
		assertThat(gemini.violations()).isEmpty();
	}

	/**
	 * Lets the usage recorder finish reading the results of the batches this test ended,
	 * in the background, so that its downloads do not reach the next test's replica
	 * script: done once the recorded usage has not moved for a second.
	 */
	@AfterEach
	void usageSettles() throws InterruptedException {
		long seen = usageRequests();
		long stableSince = System.nanoTime();
		long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
		while (System.nanoTime() - stableSince < Duration.ofSeconds(1).toNanos()) {
			assertThat(System.nanoTime()).as("usage recording settles").isLessThan(deadline);
			Thread.sleep(100);
			long now = usageRequests();
			if (now != seen) {
				seen = now;
				stableSince = System.nanoTime();
			}
		}
	}

	@Test
	void uploadsTranslatedKeyedLinesThenCreatesTheBatchAndReadsItsResponses() throws Exception {
		OpenAIClient client = OpenAiClients.ferry(this.port, "gemini");
		String line = "{\"custom_id\":\"q0\",\"method\":\"POST\",\"url\":\"/v1/chat/completions\",\"body\":{"
				+ "\"model\":\"gemini-2.5-flash\",\"max_completion_tokens\":64,\"temperature\":0.2,"
				+ "\"messages\":[{\"role\":\"system\",\"content\":\"Be brief.\"},{\"role\":\"user\",\"content\":\"a\"}],"
				+ "\"response_format\":{\"type\":\"json_schema\",\"json_schema\":{\"name\":\"r\",\"schema\":"
				+ "{\"type\":\"object\"}}}}}\n";
		String lines = line + chatLine("q1", "FAIL b") + chatLine("q2", "c");
		String id = OpenAiBatches.create(client, lines.getBytes(StandardCharsets.UTF_8));
		List<RecordedRequest> received = gemini.received();
		assertThat(received).extracting((request) -> request.getMethod() + " " + request.getUrl().encodedPath())
			.containsExactly("POST /upload/v1beta/files", "POST /upload/v1beta/files",
					"POST /v1beta/models/gemini-2.5-flash:batchGenerateContent");
		assertThat(received.get(0).getHeaders().get("X-Goog-Upload-Header-Content-Length"))
			.isEqualTo(Long.toString(received.get(1).getBody().size()));
		List<String> uploaded = received.get(1).getBody().utf8().lines().toList();
		assertThat(this.mapper.readTree(uploaded.get(0))).isEqualTo(this.mapper.readTree("""
				{"key":"q0","request":{
				  "systemInstruction":{"parts":[{"text":"Be brief."}]},
				  "contents":[{"role":"user","parts":[{"text":"a"}]}],
				  "generationConfig":{"maxOutputTokens":64,"temperature":0.2,
				    "responseMimeType":"application/json","responseJsonSchema":{"type":"object"}}}}"""));
		JsonNode batch = this.mapper.readTree(received.get(2).getBody().utf8()).path("batch");
		assertThat(batch.path("inputConfig").path("fileName").asString()).startsWith("files/");
		assertThat(unified(id).path("processing_status").asString()).isEqualTo("BATCH_STATE_RUNNING");

		Batch done = OpenAiBatches.awaitEnd(client, id, Duration.ofSeconds(20));
		assertThat(done.status()).isEqualTo(Batch.Status.COMPLETED);
		assertThat(done.expiresAt()).contains(done.createdAt() + 48 * 3600);
		List<JsonNode> output = OpenAiBatches.lines(client, done.outputFileId().get());
		assertThat(output).extracting((node) -> node.path("custom_id").asString()).containsExactly("q0", "q2");
		JsonNode completion = output.get(1).at("/response/body");
		assertThat(completion.at("/choices/0/message/content").asString()).isEqualTo("echo: c");
		assertThat(completion.at("/choices/0/finish_reason").asString()).isEqualTo("stop");
		assertThat(completion.at("/usage/total_tokens").asInt()).isEqualTo(5);
		assertThat(output.get(1).at("/response/request_id").asString()).isEqualTo("resp-q2");
		assertThat(OpenAiBatches.lines(client, done.errorFileId().get())).singleElement().satisfies((error) -> {
			assertThat(error.path("custom_id").asString()).isEqualTo("q1");
			assertThat(error.at("/error/code").asString()).isEqualTo("INVALID_ARGUMENT");
			assertThat(error.at("/error/message").asString()).isEqualTo("the replica refused it");
		});
	}

	@Test
	void theUsageOfAnEndedBatchIsReadInTheBackgroundWithTheConfiguredKey() throws Exception {
		OpenAIClient client = OpenAiClients.ferry(this.port, "gemini");
		long before = usageRequests();
		String id = OpenAiBatches.create(client, OpenAiBatches.chatLines("gemini-2.5-flash", List.of("a", "b")));
		OpenAiBatches.awaitEnd(client, id, Duration.ofSeconds(20));
		// Read after the caller's request is over, so with Gemini's configured key.
		awaitUsageRequests(before + 2);
	}

	/** The requests of the gemini batches whose usage is recorded so far. */
	private long usageRequests() {
		return GatewayKey.presentedBy(this.web)
			.get()
			.uri("/v1/usage?provider=gemini&group_by=provider")
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody(JsonNode.class)
			.returnResult()
			.getResponseBody()
			.at("/data/0/requests")
			.asLong(0);
	}

	/**
	 * Waits until usage counts this many requests: the results of the batches that ended
	 * have been read in the background.
	 */
	private void awaitUsageRequests(long requests) throws InterruptedException {
		long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
		while (usageRequests() < requests) {
			assertThat(System.nanoTime()).as("usage of %s requests recorded in time", requests).isLessThan(deadline);
			Thread.sleep(100);
		}
	}

	@Test
	void embeddingBatchesRunOnAsyncBatchEmbedContent() throws Exception {
		OpenAIClient client = OpenAiClients.ferry(this.port, "gemini");
		String lines = "{\"custom_id\":\"e0\",\"method\":\"POST\",\"url\":\"/v1/embeddings\",\"body\":{\"model\":"
				+ "\"gemini-embedding-001\",\"input\":\"hello\",\"dimensions\":256}}\n";
		String id = OpenAiBatches.create(client, lines.getBytes(StandardCharsets.UTF_8),
				com.openai.models.batches.BatchCreateParams.Endpoint.V1_EMBEDDINGS);
		assertThat(gemini.received().get(2).getUrl().encodedPath())
			.isEqualTo("/v1beta/models/gemini-embedding-001:asyncBatchEmbedContent");
		assertThat(this.mapper.readTree(gemini.received().get(1).getBody().utf8())).isEqualTo(
				this.mapper.readTree("{\"key\":\"e0\",\"request\":{\"content\":{\"parts\":[{\"text\":\"hello\"}]},"
						+ "\"outputDimensionality\":256}}"));
		Batch done = OpenAiBatches.awaitEnd(client, id, Duration.ofSeconds(20));
		assertThat(done.endpoint()).isEqualTo("/v1/embeddings");
		assertThat(OpenAiBatches.lines(client, done.outputFileId().get())).singleElement().satisfies((line) -> {
			assertThat(line.at("/response/body/object").asString()).isEqualTo("list");
			assertThat(line.at("/response/body/data/0/embedding")).hasSize(2);
		});
	}

	@Test
	void aRequestGeminiCannotTakeIsRefusedWithItsLineBeforeAnythingGoesUpstream() {
		OpenAIClient client = OpenAiClients.ferry(this.port, "gemini");
		String lines = new String(OpenAiBatches.chatLines("gemini-2.5-flash", List.of("a", "b")),
				StandardCharsets.UTF_8)
			.replace("\"content\":\"b\"}]}", "\"content\":\"b\"}],\"logit_bias\":{\"1\":2}}");
		BadRequestException refused = catchThrowableOfType(BadRequestException.class,
				() -> OpenAiBatches.create(client, lines.getBytes(StandardCharsets.UTF_8)));
		assertThat(refused.getMessage()).contains("input file line 2", "custom_id 'q1'", "logit_bias",
				"Gemini has no equal");
		assertThat(gemini.received()).isEmpty();
	}

	@Test
	void aModelGeminiCannotBatchIsRefusedBeforeAnythingGoesUpstream() {
		OpenAIClient client = OpenAiClients.ferry(this.port, "gemini");
		BadRequestException refused = catchThrowableOfType(BadRequestException.class,
				() -> OpenAiBatches.create(client, OpenAiBatches.chatLines("imagen-4.0-generate-001", List.of("a"))));
		assertThat(refused.getMessage()).contains("input file line 1", "model 'imagen-4.0-generate-001'",
				"Gemini models (gemini-…)");
		assertThat(gemini.received()).isEmpty();
	}

	@Test
	void aCreateOverGeminisQuotaSaysWhatTheQuotaIs() {
		OpenAIClient client = OpenAiClients.ferry(this.port, "gemini");
		gemini.failNextCreate(429, "{\"error\":{\"code\":429,\"message\":\"Resource has been exhausted\","
				+ "\"status\":\"RESOURCE_EXHAUSTED\"}}");
		com.openai.errors.RateLimitException refused = catchThrowableOfType(com.openai.errors.RateLimitException.class,
				() -> OpenAiBatches.create(client, OpenAiBatches.chatLines("gemini-2.5-flash", List.of("a"))));
		assertThat(refused.getMessage()).contains("Resource has been exhausted",
				"at most 100 batches running at once per project");
	}

	@Test
	void deletingAnEndedBatchDeletesItAtGemini() throws Exception {
		OpenAIClient client = OpenAiClients.ferry(this.port, "gemini");
		String id = OpenAiBatches.create(client, OpenAiBatches.chatLines("gemini-2.5-flash", List.of("a")));
		OpenAiBatches.awaitEnd(client, id, Duration.ofSeconds(20));
		GatewayKey.presentedBy(this.web)
			.delete()
			.uri("/v1/batches/" + id + "?provider=gemini")
			.exchange()
			.expectStatus()
			.isOk();
		String nativeId = dev.ferry.batch.FerryIds.decode("batch_", id).orElseThrow().nativeId();
		assertThat(gemini.deleted(nativeId)).isTrue();
	}

	@Test
	void aLongResponsesFileStreamsThroughAsItDownloads() throws Exception {
		OpenAIClient client = OpenAiClients.ferry(this.port, "gemini");
		long before = usageRequests();
		String id = OpenAiBatches.create(client, OpenAiBatches.chatLines("gemini-2.5-flash", List.of("a")));
		Batch done = OpenAiBatches.awaitEnd(client, id, Duration.ofSeconds(20));
		// The usage recorder reads the results once the batch has ended; the download
		// scripted below is the caller's.
		awaitUsageRequests(before + 1);
		GatedResponses responses = new GatedResponses(20_000, 1_000);
		gemini.streamNextDownload(responses);
		Set<String> keys = new HashSet<>();
		try (var content = client.files().content(done.outputFileId().get());
				BufferedReader reader = new BufferedReader(
						new InputStreamReader(content.body(), StandardCharsets.UTF_8))) {
			String line;
			while ((line = reader.readLine()) != null) {
				assertThat(keys.add(this.mapper.readTree(line).path("custom_id").asString())).isTrue();
				if (keys.size() == 1_000) {
					// Ferry has passed on lines while the upstream holds the rest back.
					responses.release();
				}
			}
		}
		assertThat(keys).hasSize(20_000);
		assertThat(responses.releasedBeforeTimeout()).as("the first lines arrived before the download ended").isTrue();
	}

	@Test
	void theAnthropicSdkRunsABatchOnGemini() throws Exception {
		AnthropicClient client = AnthropicBatches.ferry(this.port);
		MessageBatch batch = AnthropicBatches.createOne(client, "gemini/gemini-2.5-flash", "hello");
		JsonNode uploaded = this.mapper.readTree(gemini.received().get(1).getBody().utf8().lines().findFirst().get());
		assertThat(uploaded.at("/request/systemInstruction/parts/0/text").asString()).isEqualTo("Be brief.");
		assertThat(uploaded.at("/request/generationConfig/maxOutputTokens").asInt()).isEqualTo(32);
		batch = AnthropicBatches.awaitEnded(client, batch, Duration.ofSeconds(20));
		List<MessageBatchIndividualResponse> results = AnthropicBatches.results(client, batch.id());
		assertThat(results).singleElement().satisfies((result) -> {
			assertThat(result.customId()).isEqualTo("m1");
			var message = result.result().succeeded().orElseThrow().message();
			assertThat(message.content().get(0).text().orElseThrow().text()).isEqualTo("echo: hello");
			assertThat(message.usage().outputTokens()).isEqualTo(2);
		});
	}

	/** A chat line as the OpenAI SDK's users write them, with its id. */
	private static String chatLine(String customId, String text) {
		return new String(OpenAiBatches.chatLines("gemini-2.5-flash", List.of(text)), StandardCharsets.UTF_8)
			.replace("\"q0\"", "\"" + customId + "\"");
	}

	private JsonNode unified(String id) {
		return this.mapper.readTree(GatewayKey.presentedBy(this.web)
			.get()
			.uri("/v1/batches/" + id + "?provider=gemini")
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody()
			.returnResult()
			.getResponseBody());
	}

	/**
	 * A responses file that sends its first lines, then holds the rest back until the
	 * test has read those through Ferry (or half a minute has passed).
	 */
	private static final class GatedResponses implements MockResponseBody {

		private final int lines;

		private final int gate;

		private final CountDownLatch released = new CountDownLatch(1);

		private volatile boolean releasedBeforeTimeout;

		GatedResponses(int lines, int gate) {
			this.lines = lines;
			this.gate = gate;
		}

		void release() {
			this.released.countDown();
		}

		boolean releasedBeforeTimeout() {
			return this.releasedBeforeTimeout;
		}

		@Override
		public long getContentLength() {
			long length = 0;
			for (int i = 1; i <= this.lines; i++) {
				length += line(i).getBytes(StandardCharsets.UTF_8).length;
			}
			return length;
		}

		private static String line(int i) {
			return "{\"key\":\"big-" + i + "\",\"response\":{\"candidates\":[{\"content\":{\"role\":"
					+ "\"model\",\"parts\":[{\"text\":\"answer " + i + "\"}]},\"finishReason\":\"STOP\"}],"
					+ "\"usageMetadata\":{\"promptTokenCount\":3,\"candidatesTokenCount\":2,"
					+ "\"totalTokenCount\":5}}}\n";
		}

		@Override
		public void writeTo(BufferedSink sink) throws IOException {
			for (int i = 1; i <= this.lines; i++) {
				sink.writeUtf8(line(i));
				if (i == this.gate) {
					sink.flush();
					try {
						this.releasedBeforeTimeout = this.released.await(30, TimeUnit.SECONDS);
					}
					catch (InterruptedException ex) {
						Thread.currentThread().interrupt();
						throw new IOException(ex);
					}
				}
			}
			sink.flush();
		}

	}

}
