package dev.ferry.batch;

import java.nio.file.Files;
import java.util.List;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import dev.ferry.support.GatewayKey;
import dev.ferry.support.StandaloneFerry;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Providers configured by name: a provider named after a family needs only its key,
 * {@code type} picks a family for any other name, {@code base-url} overrides the
 * family's; a name with no family, or a family without a public base URL and none
 * configured, stops Ferry at start-up saying why. {@code GET /v1/providers} lists what
 * each can do, never its key.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@AutoConfigureWebTestClient
class ProviderConfigurationIntegrationTests {

	private static final String LIMITED_KEY = "ferry-groq-only-key-00000000001";

	private final JsonMapper mapper = JsonMapper.builder().build();

	@Autowired
	WebTestClient web;

	@DynamicPropertySource
	static void providers(DynamicPropertyRegistry registry) throws Exception {
		GatewayKey.register(registry);
		registry.add("ferry.auth.keys[1].name", () -> "groq-team");
		registry.add("ferry.auth.keys[1].key", () -> LIMITED_KEY);
		registry.add("ferry.auth.keys[1].providers[0]", () -> "groq");
		String storage = Files.createTempDirectory("ferry-config-it").toString();
		registry.add("ferry.storage.path", () -> storage);
		registry.add("ferry.providers.groq.api-key", () -> "gsk-secret-groq");
		registry.add("ferry.providers.groq-eu.type", () -> "groq");
		registry.add("ferry.providers.groq-eu.base-url", () -> "https://eu.groq.example/openai/v1");
		registry.add("ferry.providers.research.type", () -> "azure");
		registry.add("ferry.providers.research.base-url", () -> "https://research.openai.azure.com/openai/v1");
		registry.add("ferry.providers.openrouter.api-key", () -> "sk-or-secret");
		registry.add("ferry.providers.elevenlabs.api-key", () -> "xi-secret");
	}

	@Test
	void aProviderNamedAfterItsFamilyNeedsOnlyItsKey() {
		JsonNode groq = provider(GatewayKey.KEY, "groq");
		assertThat(groq.path("family").asString()).isEqualTo("groq");
		assertThat(groq.path("base_url").asString()).isEqualTo("https://api.groq.com/openai/v1");
		assertThat(groq.path("key_configured").asBoolean()).isTrue();
		assertThat(groq.path("endpoints")).extracting(JsonNode::asString).containsExactly("/v1/chat/completions");
		assertThat(groq.path("completion_windows").asString()).startsWith("24h to 7d");
		assertThat(groq.path("max_file_bytes").asLong()).isEqualTo(100L * 1024 * 1024);
		assertThat(groq.path("files").asString()).isEqualTo("provider");
	}

	@Test
	void typePicksTheFamilyAndBaseUrlOverridesItsUrl() {
		JsonNode eu = provider(GatewayKey.KEY, "groq-eu");
		assertThat(eu.path("family").asString()).isEqualTo("groq");
		assertThat(eu.path("base_url").asString()).isEqualTo("https://eu.groq.example/openai/v1");
		assertThat(eu.path("key_configured").asBoolean()).isFalse();
		JsonNode azure = provider(GatewayKey.KEY, "research");
		assertThat(azure.path("family").asString()).isEqualTo("azure");
		assertThat(azure.path("auth").asString()).isEqualTo("api-key");
		assertThat(azure.path("max_requests_per_file").asLong()).isEqualTo(100_000);
		JsonNode anthropic = provider(GatewayKey.KEY, "anthropic");
		assertThat(anthropic.path("files").asString()).as("Ferry holds Anthropic's files").isEqualTo("ferry");
		assertThat(anthropic.path("inline_requests").asBoolean()).isTrue();
	}

	@Test
	void aFamilyWithAFormatOfItsOwnSaysWhatItCannotDo() {
		JsonNode openRouter = provider(GatewayKey.KEY, "openrouter");
		assertThat(openRouter.path("format").asString()).isEqualTo("openrouter");
		assertThat(openRouter.path("base_url").asString()).isEqualTo("https://openrouter.ai/api");
		assertThat(openRouter.path("files").asString()).as("Ferry holds the input files").isEqualTo("ferry");
		assertThat(openRouter.path("cancels").asBoolean()).isFalse();
		assertThat(openRouter.path("max_requests_per_file").asLong()).isEqualTo(5_000);
		assertThat(provider(GatewayKey.KEY, "groq").path("cancels").asBoolean()).isTrue();
	}

	@Test
	void aProviderWithNoTextApiRefusesEveryBatchCallSayingWhatToDoInstead() {
		for (var call : List.of(
				this.web.post()
					.uri("/v1/batches")
					.header("Authorization", GatewayKey.BEARER)
					.contentType(org.springframework.http.MediaType.APPLICATION_JSON)
					.bodyValue("{\"model\":\"elevenlabs/eleven_v3\",\"endpoint\":\"/v1/chat/completions\","
							+ "\"requests\":[{\"custom_id\":\"a\",\"params\":{\"messages\":[]}}]}"),
				this.web.get().uri("/v1/batches?provider=elevenlabs").header("Authorization", GatewayKey.BEARER))) {
			call.exchange()
				.expectStatus()
				.isBadRequest()
				.expectBody()
				.jsonPath("$.error.code")
				.isEqualTo("unsupported_operation")
				.jsonPath("$.error.message")
				.value((String message) -> assertThat(message).contains("provider 'elevenlabs' cannot run batches",
						"another provider"));
		}
	}

	@Test
	void theListShowsNoKeyAndOnlyTheProvidersAGatewayKeyMayUse() {
		String all = providerList(GatewayKey.BEARER);
		assertThat(all).doesNotContain("gsk-secret-groq");
		assertThat(names(all)).contains("anthropic", "groq", "groq-eu", "openai", "research", "sandbox");
		String limited = providerList("Bearer " + LIMITED_KEY);
		assertThat(names(limited)).containsExactly("groq");
	}

	@Test
	void aNameWithNoFamilyStopsFerryListingTheFamilies() {
		assertThatThrownBy(() -> start("--ferry.providers.replicate.api-key=sk")).rootCause()
			.hasMessageContaining("ferry.providers.replicate: 'replicate' is no provider family and no type is set")
			.hasMessageContaining("families: anthropic, azure, bedrock, cerebras, cohere, elevenlabs, executed, "
					+ "fireworks, gemini, groq, huggingface, mistral, nebius, ollama, openai, openrouter, parasail, "
					+ "perplexity, runway, sandbox, sgl, vertex, vllm, xai");
	}

	@Test
	void aTypeWithNoFamilyStopsFerry() {
		assertThatThrownBy(() -> start("--ferry.providers.eu.type=nonesuch")).rootCause()
			.hasMessageContaining("ferry.providers.eu.type: 'nonesuch'")
			.hasMessageContaining("families: anthropic, azure, bedrock");
	}

	@Test
	void aFamilyWithoutAPublicUrlNeedsOne() {
		assertThatThrownBy(() -> start("--ferry.providers.azure.api-key=key")).rootCause()
			.hasMessageContaining("ferry.providers.azure.base-url must be set: family 'azure' has no public base URL")
			.hasMessageContaining("https://{resource}.openai.azure.com/openai/v1");
	}

	@Test
	void aSelfHostedServerNeedsItsUrl() {
		assertThatThrownBy(() -> start("--ferry.providers.vllm.max-concurrency=4")).rootCause()
			.hasMessageContaining("ferry.providers.vllm.base-url must be set")
			.hasMessageContaining("http://vllm:8000/v1");
	}

	@Test
	void aFamilyWithoutABearerSynchronousApiCannotBeSwitchedToExecuted() {
		assertThatThrownBy(() -> start("--ferry.providers.azure.batch-mode=executed")).rootCause()
			.hasMessageContaining("ferry.providers.azure.batch-mode: family 'azure' has no synchronous API Ferry can "
					+ "run its batches against")
			.hasMessageContaining("anthropic, cerebras, cohere, fireworks, gemini");
	}

	@Test
	void vertexNeedsItsProjectAndBucket() {
		assertThatThrownBy(() -> start("--ferry.providers.vertex.location=europe-west4")).rootCause()
			.hasMessageContaining("ferry.providers.vertex.project must be set");
		assertThatThrownBy(() -> start("--ferry.providers.vertex.project=p")).rootCause()
			.hasMessageContaining("ferry.providers.vertex.gcs-bucket must be set");
		assertThatThrownBy(() -> start("--ferry.providers.vertex.project=p", "--ferry.providers.vertex.gcs-bucket=b",
				"--ferry.providers.vertex.credentials-file=/nonexistent/key.json"))
			.rootCause()
			.hasMessageContaining("ferry.providers.vertex.credentials-file: '/nonexistent/key.json' cannot be read");
	}

	@Test
	void bedrockNeedsItsRoleAndBuckets() {
		assertThatThrownBy(() -> start("--ferry.providers.bedrock.region=us-east-1")).rootCause()
			.hasMessageContaining("ferry.providers.bedrock.role-arn must be set");
		assertThatThrownBy(() -> start("--ferry.providers.bedrock.role-arn=arn:aws:iam::1:role/r",
				"--ferry.providers.bedrock.input-s3-uri=s3://in/", "--ferry.providers.bedrock.output-s3-uri=out/"))
			.rootCause()
			.hasMessageContaining("'out/' is not an s3:// URI");
	}

	@Test
	void fireworksNeedsItsAccount() {
		assertThatThrownBy(() -> start("--ferry.providers.fireworks.api-key=fw")).rootCause()
			.hasMessageContaining("ferry.providers.fireworks.account-id must be set to the Fireworks account");
	}

	private static void start(String... arguments) throws Exception {
		List<String> all = new java.util.ArrayList<>(
				List.of("--server.port=0", "--ferry.storage.path=" + Files.createTempDirectory("ferry-config-fail")));
		all.addAll(List.of(arguments));
		StandaloneFerry.start(all.toArray(String[]::new)).close();
	}

	private JsonNode provider(String key, String name) {
		String body = providerList("Bearer " + key);
		for (JsonNode provider : this.mapper.readTree(body).path("data")) {
			if (provider.path("name").asString().equals(name)) {
				return provider;
			}
		}
		throw new AssertionError("no provider " + name + " in " + body);
	}

	private String providerList(String authorization) {
		return this.web.get()
			.uri("/v1/providers")
			.header("Authorization", authorization)
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody(String.class)
			.returnResult()
			.getResponseBody();
	}

	private List<String> names(String body) {
		return this.mapper.readTree(body)
			.path("data")
			.valueStream()
			.map((node) -> node.path("name").asString())
			.toList();
	}

}
