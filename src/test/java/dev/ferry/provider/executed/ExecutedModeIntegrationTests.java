package dev.ferry.provider.executed;

import java.time.Duration;
import java.util.List;

import com.anthropic.client.AnthropicClient;
import com.anthropic.models.messages.Model;
import com.anthropic.models.messages.batches.BatchCreateParams;
import com.anthropic.models.messages.batches.MessageBatch;
import com.anthropic.models.messages.batches.MessageBatchIndividualResponse;
import com.openai.client.OpenAIClient;
import com.openai.models.batches.Batch;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import dev.ferry.support.AnthropicBatches;
import dev.ferry.support.GatewayKey;
import dev.ferry.support.MockUpstreams;
import dev.ferry.support.OpenAiBatches;
import dev.ferry.support.OpenAiClients;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Providers with a batch API of their own switched to {@code batch-mode: executed}: Ferry
 * runs their batches against their synchronous API with their key, and their batch API is
 * never called. OpenAI through the OpenAI SDK, Cohere through its compatibility API, and
 * Anthropic (its OpenAI compatibility layer) through the Anthropic SDK.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@AutoConfigureWebTestClient
class ExecutedModeIntegrationTests {

	static final ChatUpstream openai = new ChatUpstream(0, (call) -> false, (call) -> false, (call) -> false);

	static final ChatUpstream cohere = new ChatUpstream(0, (call) -> false, (call) -> false, (call) -> false);

	static final ChatUpstream anthropic = new ChatUpstream(0, (call) -> false, (call) -> false, (call) -> false);

	static final List<MockWebServer> servers = List.of(MockUpstreams.started(), MockUpstreams.started(),
			MockUpstreams.started());

	private final JsonMapper mapper = JsonMapper.builder().build();

	@LocalServerPort
	int port;

	@org.springframework.beans.factory.annotation.Autowired
	WebTestClient web;

	@DynamicPropertySource
	static void providers(DynamicPropertyRegistry registry) throws Exception {
		GatewayKey.register(registry);
		String storage = java.nio.file.Files.createTempDirectory("ferry-executed-mode").toString();
		registry.add("ferry.storage.path", () -> storage);
		registry.add("ferry.executed.poll-interval", () -> "50ms");
		provider(registry, "openai", openai, servers.get(0), "/v1", "sk-openai");
		provider(registry, "cohere", cohere, servers.get(1), "/compatibility/v1", "co-key");
		provider(registry, "anthropic", anthropic, servers.get(2), "/v1", "sk-ant-key");
	}

	private static void provider(DynamicPropertyRegistry registry, String name, ChatUpstream upstream,
			MockWebServer server, String path, String key) {
		server.setDispatcher(upstream);
		registry.add("ferry.providers." + name + ".batch-mode", () -> "executed");
		registry.add("ferry.providers." + name + ".base-url", () -> server.url(path).toString());
		registry.add("ferry.providers." + name + ".api-key", () -> key);
	}

	@AfterAll
	static void stop() {
		servers.forEach(MockWebServer::close);
	}

	@Test
	void openAiInExecutedModeCallsChatCompletionsNotItsBatchApi() throws Exception {
		assertRunsOnItsSynchronousApi("openai", openai, "/v1/chat/completions", "Bearer sk-openai");
	}

	@Test
	void cohereInExecutedModeCallsItsCompatibilityApi() throws Exception {
		assertRunsOnItsSynchronousApi("cohere", cohere, "/compatibility/v1/chat/completions", "Bearer co-key");
	}

	@Test
	void theProviderListSaysFerryRunsTheBatches() {
		String body = this.web.get()
			.uri("/v1/providers")
			.header("Authorization", GatewayKey.BEARER)
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody(String.class)
			.returnResult()
			.getResponseBody();
		JsonNode cohereEntry = this.mapper.readTree(body)
			.path("data")
			.valueStream()
			.filter((node) -> node.path("name").asString().equals("cohere"))
			.findFirst()
			.orElseThrow();
		assertThat(cohereEntry.path("family").asString()).isEqualTo("cohere");
		assertThat(cohereEntry.path("native_batches").asBoolean()).isFalse();
		assertThat(cohereEntry.path("files").asString()).isEqualTo("ferry");
		assertThat(cohereEntry.path("base_url").asString()).endsWith("/compatibility/v1");
	}

	@Test
	void theAnthropicSdkRunsABatchOnAnthropicInExecutedMode() throws Exception {
		AnthropicClient client = AnthropicBatches.ferry(this.port);
		BatchCreateParams.Builder create = BatchCreateParams.builder();
		for (String id : List.of("a1", "a2")) {
			create.addRequest(BatchCreateParams.Request.builder()
				.customId(id)
				.params(BatchCreateParams.Request.Params.builder()
					.model(Model.of("claude-sonnet-4-5"))
					.maxTokens(32)
					.addUserMessage("hello " + id)
					.build())
				.build());
		}
		MessageBatch batch = client.messages().batches().create(create.build());
		batch = AnthropicBatches.awaitEnded(client, batch, Duration.ofSeconds(30));
		assertThat(batch.requestCounts().succeeded()).isEqualTo(2);
		List<MessageBatchIndividualResponse> results = AnthropicBatches.results(client, batch.id());
		assertThat(results).extracting(MessageBatchIndividualResponse::customId).containsExactly("a1", "a2");
		assertThat(results.get(1)
			.result()
			.succeeded()
			.orElseThrow()
			.message()
			.content()
			.get(0)
			.text()
			.orElseThrow()
			.text()).isEqualTo("echo: hello a2");
		assertThat(anthropic.received).hasSize(2)
			.allSatisfy((call) -> assertThat(call.path()).isEqualTo("/v1/chat/completions"))
			.allSatisfy((call) -> assertThat(call.authorization()).isEqualTo("Bearer sk-ant-key"));
	}

	private void assertRunsOnItsSynchronousApi(String provider, ChatUpstream upstream, String path,
			String authorization) throws Exception {
		OpenAIClient client = OpenAiClients.ferry(this.port, provider);
		String id = OpenAiBatches.create(client, OpenAiBatches.chatLines("some-model", List.of("one", "two", "three")));
		Batch done = OpenAiBatches.awaitEnd(client, id, Duration.ofSeconds(30));
		assertThat(done.status()).isEqualTo(Batch.Status.COMPLETED);
		assertThat(OpenAiBatches.lines(client, done.outputFileId().get()))
			.extracting((line) -> line.at("/response/body/choices/0/message/content").asString())
			.containsExactly("echo: one", "echo: two", "echo: three");
		assertThat(upstream.received).hasSize(3)
			.allSatisfy((call) -> assertThat(call.path()).isEqualTo(path))
			.allSatisfy((call) -> assertThat(call.authorization()).isEqualTo(authorization));
	}

}
