package dev.ferry.conformance;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import com.anthropic.client.AnthropicClient;
import com.anthropic.client.okhttp.AnthropicOkHttpClient;
import com.anthropic.models.messages.Model;
import com.anthropic.models.messages.batches.MessageBatch;
import com.anthropic.models.messages.batches.MessageBatchIndividualResponse;
import com.openai.client.OpenAIClient;
import com.openai.models.batches.Batch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import dev.ferry.batch.FerryIds;
import dev.ferry.batch.Params;
import dev.ferry.support.GatewayKey;
import dev.ferry.support.MockUpstreams;
import dev.ferry.support.OpenAiBatches;
import dev.ferry.support.OpenAiClients;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.http.MediaType;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Every id any dialect hands out works in every other: on providers {@code openai},
 * {@code anthropic}, {@code azure}, {@code sandbox} and the seven with batch formats of
 * their own ({@code mistral}, {@code xai}, {@code openrouter}, {@code cohere},
 * {@code fireworks}, {@code gemini}, {@code vertex}) and one whose batches Ferry runs
 * itself ({@code vllm}), a batch created through each dialect (the unified API, the
 * official OpenAI SDK, the official Anthropic SDK) is retrieved, has its results read,
 * and is deleted through each dialect, and a second one is cancelled through it. The
 * OpenAI API has no batch delete: through it, a batch's input file is deleted.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@AutoConfigureWebTestClient(timeout = "30s")
class DialectMatrixIntegrationTests {

	static final OpenAiReplica openAi = new OpenAiReplica(
			OpenAiReplica.Quirks.openAi("/v1", "sk-openai", Set.of("/v1/chat/completions")));

	static final OpenAiReplica azure = new OpenAiReplica(
			OpenAiReplica.Quirks.openAi("/openai/v1", "azure-key", Set.of("/v1/chat/completions"))
				.azure(null, Set.of("batch-deployment")));

	static final AnthropicReplica anthropic = new AnthropicReplica("sk-ant-key");

	/** The providers with batch formats of their own, by name. */
	static final Map<String, JobReplica> jobs = Map.of("mistral", new MistralReplica("mistral-key"), "xai",
			new XaiReplica("xai-key"), "openrouter", new OpenRouterReplica("sk-or-key"), "cohere",
			new CohereReplica("co-key"), "fireworks", new FireworksReplica("fw-key"), "gemini",
			new GeminiReplica("gemini-key"), "vertex", new VertexReplica());

	/** A server without a batch API, whose batches Ferry runs itself. */
	static final SyncReplica vllm = new SyncReplica(java.time.Duration.ofMillis(5));

	private static final Map<String, String> MODELS = Map.ofEntries(Map.entry("openai", "gpt-4o-mini"),
			Map.entry("azure", "gpt-4o-mini"), Map.entry("anthropic", "claude-haiku-4-5"),
			Map.entry("sandbox", "echo-1"), Map.entry("mistral", "mistral-small-latest"),
			Map.entry("xai", "grok-4-fast"), Map.entry("openrouter", "openai/gpt-4o-mini"),
			Map.entry("cohere", "command-a-03-2025"),
			Map.entry("fireworks", "accounts/fireworks/models/llama-v3p1-8b-instruct"),
			Map.entry("gemini", "gemini-2.5-flash"), Map.entry("vertex", "gemini-2.5-flash"),
			Map.entry("vllm", "meta-llama/Llama-3.1-8B-Instruct"));

	/** Providers whose API has no batch cancel: Ferry refuses one up front. */
	private static final Set<String> NO_CANCEL = Set.of("openrouter", "fireworks");

	private final JsonMapper mapper = JsonMapper.builder().build();

	@LocalServerPort
	int port;

	@Autowired
	WebTestClient web;

	@DynamicPropertySource
	static void providers(DynamicPropertyRegistry registry) throws Exception {
		GatewayKey.register(registry);
		String storage = java.nio.file.Files.createTempDirectory("ferry-matrix").toString();
		registry.add("ferry.storage.path", () -> storage);
		registry.add("ferry.providers.openai.base-url", openAi::baseUrl);
		registry.add("ferry.providers.openai.api-key", () -> "sk-openai");
		registry.add("ferry.providers.azure.base-url", azure::baseUrl);
		registry.add("ferry.providers.azure.api-key", () -> "azure-key");
		registry.add("ferry.providers.azure.deployments[gpt-4o-mini]", () -> "batch-deployment");
		registry.add("ferry.providers.anthropic.base-url", anthropic::baseUrl);
		registry.add("ferry.providers.anthropic.api-key", () -> "sk-ant-key");
		registry.add("ferry.providers.sandbox.processing-time", () -> "400ms");
		registry.add("ferry.providers.vllm.base-url", vllm::baseUrl);
		registry.add("ferry.executed.poll-interval", () -> "50ms");
		jobs.forEach((name, replica) -> {
			replica.register(registry, name);
		});
		for (String provider : MODELS.keySet()) {
			MockUpstreams.withoutStatusCache(registry, provider);
		}
	}

	static Stream<Arguments> matrix() {
		return Stream
			.of("openai", "anthropic", "azure", "sandbox", "mistral", "xai", "openrouter", "cohere", "fireworks",
					"gemini", "vertex", "vllm")
			.flatMap((provider) -> Stream.of("unified", "openai", "anthropic")
				.flatMap((creator) -> Stream.of("unified", "openai", "anthropic")
					.map((follower) -> Arguments.of(provider, creator, follower))));
	}

	@BeforeEach
	void clearLogs() {
		List.of(openAi, azure, anthropic).forEach(Replica::clearLog);
		jobs.values().forEach(Replica::clearLog);
		vllm.clearLog();
	}

	@AfterEach
	void replicasRefusedNothing() {
		assertThat(openAi.violations()).isEmpty();
		assertThat(azure.violations()).isEmpty();
		assertThat(anthropic.violations()).isEmpty();
		jobs.forEach(
				(name, replica) -> assertThat(replica.violations()).as("what %s's replica refused", name).isEmpty());
	}

	@ParameterizedTest(name = "{0}: created through {1}, followed through {2}")
	@MethodSource("matrix")
	void aBatchCreatedThroughOneDialectIsFollowedThroughAnother(String provider, String creator, String follower)
			throws Exception {
		String id = create(creator, provider, List.of("Hello", "Bonjour"));
		Dialect dialect = dialect(follower);
		assertThat(dialect.retrieve(provider, id).id()).as("an id the follower accepts").isNotBlank();
		awaitEnd(dialect, provider, id);
		assertThat(dialect.resultIds(provider, id)).containsExactlyInAnyOrder("q0", "q1");
		dialect.delete(provider, id);

		String cancelled = create(creator, provider, List.of("Stop me"));
		if (NO_CANCEL.contains(provider)) {
			assertThatThrownBy(() -> dialect.cancel(provider, cancelled)).as("a cancel the provider cannot do")
				.hasMessageContaining("cannot cancel a batch");
			return;
		}
		dialect.cancel(provider, cancelled);
		assertThat(awaitEnd(dialect, provider, cancelled).status()).isEqualTo("cancelled");
	}

	@Test
	void mintedIdsRouteThemselvesWithoutAProviderHint() {
		String id = create("anthropic", "openai", List.of("Hello"));
		assertThat(FerryIds.providerOf(id)).contains("openai");
		OpenAIClient noHint = OpenAiClients.ferry(this.port, null);
		assertThat(noHint.batches().retrieve(id).id()).as("the native id, found by the minted one's provider")
			.startsWith("batch_");
		gateway().get().uri("/v1/batches/" + id).exchange().expectStatus().isOk();
	}

	@Test
	void anIdMintedForOneProviderIsRefusedForAnother() {
		String id = create("anthropic", "openai", List.of("Hello"));
		gateway().get()
			.uri("/v1/batches/" + id + "?provider=sandbox")
			.exchange()
			.expectStatus()
			.isBadRequest()
			.expectBody()
			.jsonPath("$.error.message")
			.value((String message) -> assertThat(message).contains("belongs to provider 'openai'"));
		assertThat(openAi.received()).filteredOn((request) -> request.getMethod().equals("GET")).isEmpty();
	}

	@Test
	void aNativeAnthropicIdRoutesToAnthropicInEveryDialect() {
		String id = anthropicSdk(null).messages().batches().create(anthropicCreate("anthropic", List.of("Hi"))).id();
		assertThat(id).startsWith("msgbatch_");
		assertThat(OpenAiClients.ferry(this.port, null).batches().retrieve(id).id()).isNotBlank();
		gateway().get().uri("/v1/batches/" + id).exchange().expectStatus().isOk();
	}

	/** Creates a batch through a dialect, with requests {@code q0…}, one per text. */
	private String create(String dialect, String provider, List<String> texts) {
		String model = MODELS.get(provider);
		return switch (dialect) {
			case "unified" -> {
				ObjectNode body = this.mapper.createObjectNode()
					.put("model", provider + "/" + model)
					.put("endpoint", "/v1/chat/completions");
				var requests = body.putArray("requests");
				for (int i = 0; i < texts.size(); i++) {
					ObjectNode params = requests.addObject().put("custom_id", "q" + i).putObject("params");
					params.put("max_tokens", 16)
						.putArray("messages")
						.addObject()
						.put("role", "user")
						.put("content", texts.get(i));
				}
				yield json(gateway().post()
					.uri("/v1/batches")
					.contentType(MediaType.APPLICATION_JSON)
					.bodyValue(body.toString())
					.exchange()
					.expectStatus()
					.isOk()).path("id").asString();
			}
			case "openai" ->
				OpenAiBatches.create(OpenAiClients.ferry(this.port, provider), OpenAiBatches.chatLines(model, texts));
			default -> anthropicSdk(null).messages().batches().create(anthropicCreate(provider, texts)).id();
		};
	}

	private com.anthropic.models.messages.batches.BatchCreateParams anthropicCreate(String provider,
			List<String> texts) {
		var create = com.anthropic.models.messages.batches.BatchCreateParams.builder();
		for (int i = 0; i < texts.size(); i++) {
			create.addRequest(com.anthropic.models.messages.batches.BatchCreateParams.Request.builder()
				.customId("q" + i)
				.params(com.anthropic.models.messages.batches.BatchCreateParams.Request.Params.builder()
					.model(Model.of(provider + "/" + MODELS.get(provider)))
					.maxTokens(16)
					.addUserMessage(texts.get(i))
					.build())
				.build());
		}
		return create.build();
	}

	private Status awaitEnd(Dialect dialect, String provider, String id) throws InterruptedException {
		return awaitEnd(dialect, provider, id, Duration.ofSeconds(20));
	}

	private Status awaitEnd(Dialect dialect, String provider, String id, Duration within) throws InterruptedException {
		long deadline = System.nanoTime() + within.toNanos();
		while (System.nanoTime() < deadline) {
			Status status = dialect.retrieve(provider, id);
			if (status.ended()) {
				return status;
			}
			Thread.sleep(provider.equals("sandbox") ? 50 : 5);
		}
		throw new AssertionError("batch " + id + " on " + provider + " did not end");
	}

	private Dialect dialect(String name) {
		return switch (name) {
			case "unified" -> new Unified();
			case "openai" -> new OpenAi();
			default -> new Anthropic();
		};
	}

	private AnthropicClient anthropicSdk(String provider) {
		AnthropicOkHttpClient.Builder builder = AnthropicOkHttpClient.builder()
			.baseUrl("http://localhost:" + this.port + "/anthropic")
			.apiKey(GatewayKey.KEY)
			.maxRetries(0)
			.timeout(Duration.ofSeconds(30));
		if (provider != null) {
			builder.putHeader("x-model-provider", provider);
		}
		return builder.build();
	}

	private WebTestClient gateway() {
		return GatewayKey.presentedBy(this.web);
	}

	private JsonNode json(WebTestClient.ResponseSpec response) {
		return this.mapper.readTree(response.expectBody().returnResult().getResponseBody());
	}

	/**
	 * A batch as a dialect shows it: its id, its status in OpenAI's words, and whether it
	 * has ended.
	 */
	record Status(String id, String status, boolean ended) {
	}

	/** The follow-up calls of one dialect, each naming the provider as its callers do. */
	interface Dialect {

		Status retrieve(String provider, String id);

		Set<String> resultIds(String provider, String id) throws Exception;

		void cancel(String provider, String id);

		void delete(String provider, String id);

	}

	private final class Unified implements Dialect {

		@Override
		public Status retrieve(String provider, String id) {
			JsonNode batch = json(gateway().get()
				.uri("/v1/batches/" + id + "?provider=" + provider)
				.exchange()
				.expectStatus()
				.isOk());
			String status = batch.path("status").asString();
			return new Status(batch.path("id").asString(), status,
					Set.of("completed", "failed", "expired", "cancelled").contains(status));
		}

		@Override
		public Set<String> resultIds(String provider, String id) {
			Set<String> ids = new HashSet<>();
			String cursor = null;
			do {
				JsonNode page = json(gateway().get()
					.uri("/v1/batches/" + id + "/results?provider=" + provider + "&limit=1"
							+ ((cursor != null) ? "&cursor=" + cursor : ""))
					.exchange()
					.expectStatus()
					.isOk());
				page.path("results").forEach((item) -> assertThat(ids.add(item.path("custom_id").asString())).isTrue());
				cursor = page.path("has_more").asBoolean() ? page.path("next_cursor").asString() : null;
			}
			while (cursor != null);
			return ids;
		}

		@Override
		public void cancel(String provider, String id) {
			var answer = gateway().post()
				.uri("/v1/batches/" + id + "/cancel?provider=" + provider)
				.exchange()
				.expectBody(String.class)
				.returnResult();
			if (!answer.getStatus().is2xxSuccessful()) {
				throw new IllegalStateException(answer.getStatus() + ": " + answer.getResponseBody());
			}
		}

		@Override
		public void delete(String provider, String id) {
			gateway().delete()
				.uri("/v1/batches/" + id + "?provider=" + provider)
				.exchange()
				.expectStatus()
				.isOk()
				.expectBody()
				.jsonPath("$.deleted")
				.isEqualTo(true);
		}

	}

	private final class OpenAi implements Dialect {

		@Override
		public Status retrieve(String provider, String id) {
			Batch batch = OpenAiClients.ferry(DialectMatrixIntegrationTests.this.port, provider).batches().retrieve(id);
			String status = batch.status().asString();
			return new Status(batch.id(), status,
					Set.of("completed", "failed", "expired", "cancelled").contains(status));
		}

		@Override
		public Set<String> resultIds(String provider, String id) throws Exception {
			OpenAIClient client = OpenAiClients.ferry(DialectMatrixIntegrationTests.this.port, provider);
			Batch batch = client.batches().retrieve(id);
			Set<String> ids = new HashSet<>();
			for (String fileId : Stream.of(batch.outputFileId(), batch.errorFileId())
				.flatMap(java.util.Optional::stream)
				.toList()) {
				try (var content = client.files().content(fileId)) {
					new String(content.body().readAllBytes(), StandardCharsets.UTF_8).lines()
						.filter((line) -> !line.isBlank())
						.forEach((line) -> ids.add(
								DialectMatrixIntegrationTests.this.mapper.readTree(line).path("custom_id").asString()));
				}
			}
			return ids;
		}

		@Override
		public void cancel(String provider, String id) {
			OpenAiClients.ferry(DialectMatrixIntegrationTests.this.port, provider).batches().cancel(id);
		}

		@Override
		public void delete(String provider, String id) {
			OpenAIClient client = OpenAiClients.ferry(DialectMatrixIntegrationTests.this.port, provider);
			client.batches()
				.retrieve(id)
				._inputFileId()
				.asString()
				.ifPresent((fileId) -> assertThat(client.files().delete(fileId).deleted()).isTrue());
		}

	}

	private final class Anthropic implements Dialect {

		@Override
		public Status retrieve(String provider, String id) {
			MessageBatch batch = anthropicSdk(provider).messages().batches().retrieve(id);
			boolean ended = batch.processingStatus().equals(MessageBatch.ProcessingStatus.ENDED);
			String status = !ended ? batch.processingStatus().asString()
					: batch.cancelInitiatedAt().isPresent() ? "cancelled" : "completed";
			return new Status(batch.id(), status, ended);
		}

		@Override
		public Set<String> resultIds(String provider, String id) {
			try (var results = anthropicSdk(provider).messages().batches().resultsStreaming(id)) {
				Set<String> ids = new HashSet<>();
				results.stream()
					.map(MessageBatchIndividualResponse::customId)
					.forEach((customId) -> assertThat(ids.add(customId)).isTrue());
				return ids;
			}
		}

		@Override
		public void cancel(String provider, String id) {
			anthropicSdk(provider).messages().batches().cancel(id);
		}

		@Override
		public void delete(String provider, String id) {
			assertThat(anthropicSdk(provider).messages().batches().delete(id).id()).isNotBlank();
		}

	}

}
