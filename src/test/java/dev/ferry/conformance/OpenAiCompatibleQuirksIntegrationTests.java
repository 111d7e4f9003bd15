package dev.ferry.conformance;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;

import com.openai.client.OpenAIClient;
import com.openai.models.batches.Batch;
import com.openai.models.batches.BatchCreateParams;
import com.openai.models.files.FileCreateParams;
import com.openai.models.files.FileObject;
import com.openai.models.files.FilePurpose;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import dev.ferry.batch.Sha256;
import dev.ferry.support.GatewayKey;
import dev.ferry.support.MockUpstreams;
import dev.ferry.support.OpenAiClients;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
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
 * The departures from OpenAI's API that the conformance kit's defaults do not reach:
 * Azure's legacy {@code api-version} API with its capitalised statuses and ISO
 * timestamps, its key header and quota refusals; Perplexity's idempotency keys and
 * upload-time line checks; Groq's longer windows. Each provider runs against its replica.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@AutoConfigureWebTestClient(timeout = "30s")
class OpenAiCompatibleQuirksIntegrationTests {

	static final OpenAiReplica azureLegacy = new OpenAiReplica(
			OpenAiReplica.Quirks.openAi("/openai", "azure-key", Set.of("/v1/chat/completions"))
				.azure("2024-10-21", Set.of("batch-deployment")));

	static final OpenAiReplica perplexity = new OpenAiReplica(
			OpenAiReplica.Quirks.openAi("/v1", "pplx-key", Set.of("/v1/responses")).perplexity());

	static final OpenAiReplica groq = new OpenAiReplica(
			OpenAiReplica.Quirks.openAi("/openai/v1", "gsk-groq", Set.of("/v1/chat/completions"))
				.windows(Set.of("24h", "48h", "7d")::contains));

	private final JsonMapper mapper = JsonMapper.builder().build();

	@LocalServerPort
	int port;

	@Autowired
	WebTestClient web;

	@DynamicPropertySource
	static void providers(DynamicPropertyRegistry registry) throws Exception {
		GatewayKey.register(registry);
		String storage = java.nio.file.Files.createTempDirectory("ferry-quirks").toString();
		registry.add("ferry.storage.path", () -> storage);
		registry.add("ferry.providers.azure-legacy.type", () -> "azure");
		registry.add("ferry.providers.azure-legacy.base-url", azureLegacy::baseUrl);
		registry.add("ferry.providers.azure-legacy.api-key", () -> "azure-key");
		registry.add("ferry.providers.azure-legacy.api-version", () -> "2024-10-21");
		registry.add("ferry.providers.azure-legacy.deployments[gpt-4o-mini]", () -> "batch-deployment");
		registry.add("ferry.providers.azure-legacy.retry.first-backoff", () -> "10ms");
		registry.add("ferry.providers.perplexity.base-url", perplexity::baseUrl);
		registry.add("ferry.providers.perplexity.api-key", () -> "pplx-key");
		registry.add("ferry.providers.groq.base-url", groq::baseUrl);
		registry.add("ferry.providers.groq.api-key", () -> "gsk-groq");
		for (String provider : List.of("azure-legacy", "perplexity", "groq")) {
			MockUpstreams.withoutStatusCache(registry, provider);
		}
	}

	@BeforeEach
	void clearLogs() {
		List.of(azureLegacy, perplexity, groq).forEach(Replica::clearLog);
	}

	@AfterEach
	void replicasRefusedNothing() {
		assertThat(azureLegacy.violations()).isEmpty();
		assertThat(perplexity.violations()).isEmpty();
		assertThat(groq.violations()).isEmpty();
	}

	@Test
	void azureLegacyApiCarriesItsVersionAndItsCapitalisedStatusesAndIsoTimesReachCallersInOpenAisShape()
			throws Exception {
		OpenAIClient client = OpenAiClients.ferry(this.port, "azure-legacy");
		FileObject file = uploadThroughSdk(client, line("q1", "gpt-4o-mini"));
		Batch batch = client.batches()
			.create(BatchCreateParams.builder()
				.inputFileId(file.id())
				.endpoint(BatchCreateParams.Endpoint.V1_CHAT_COMPLETIONS)
				.completionWindow(BatchCreateParams.CompletionWindow._24H)
				.build());
		assertThat(batch.status()).isEqualTo(Batch.Status.VALIDATING);
		assertThat(batch.createdAt()).as("an ISO timestamp, as Unix seconds").isGreaterThan(1_700_000_000L);
		assertThat(batch.requestCounts().get().total()).as("null counts, as numbers").isZero();
		Batch running = client.batches().retrieve(batch.id());
		assertThat(running.status()).isEqualTo(Batch.Status.IN_PROGRESS);
		assertThat(running.inProgressAt()).isPresent();
		for (RecordedRequest request : azureLegacy.received()) {
			assertThat(request.getUrl().queryParameter("api-version")).isEqualTo("2024-10-21");
			assertThat(request.getHeaders().get("api-key")).isEqualTo("azure-key");
			assertThat(request.getHeaders().get("Authorization")).isNull();
		}
		assertThat(azureLegacy.fileLines(file.id())).singleElement()
			.satisfies((line) -> assertThat(line).contains("\"model\":\"batch-deployment\""));
		JsonNode unified = json(gateway().get()
			.uri("/v1/batches/" + batch.id() + "?provider=azure-legacy")
			.exchange()
			.expectStatus()
			.isOk());
		assertThat(unified.path("status").asString()).isEqualTo("finalizing");
		assertThat(unified.path("processing_status").asString()).as("Azure's own status, kept").isEqualTo("Finalizing");
	}

	@Test
	void azureRetriesACreateRefusedForItsTokenQuota() {
		OpenAIClient client = OpenAiClients.ferry(this.port, "azure-legacy");
		FileObject file = uploadThroughSdk(client, line("q1", "gpt-4o-mini"));
		azureLegacy.refuseCreatesForTokenLimit(2);
		Batch batch = client.batches()
			.create(BatchCreateParams.builder()
				.inputFileId(file.id())
				.endpoint(BatchCreateParams.Endpoint.V1_CHAT_COMPLETIONS)
				.completionWindow(BatchCreateParams.CompletionWindow._24H)
				.build());
		assertThat(batch.id()).startsWith("batch_");
		assertThat(azureLegacy.received()).filteredOn((request) -> request.getUrl().encodedPath().endsWith("/batches"))
			.hasSize(3);
	}

	@Test
	void azureModelsWithoutADeploymentOfTheFirstLinesAreRefusedAtUpload() {
		upload("azure-legacy", line("q1", "gpt-4o-mini") + line("q2", "other-deployment")).expectStatus()
			.isBadRequest()
			.expectBody()
			.jsonPath("$.error.message")
			.value((String message) -> assertThat(message).contains("file line 2",
					"runs on deployment 'other-deployment', line 1's on 'batch-deployment'"));
		assertThat(azureLegacy.received()).as("no complete upload").isEmpty();
	}

	@Test
	void perplexityGetsACallerScopedIdempotencyKeyAndDeduplicates() {
		OpenAIClient client = OpenAiClients.ferry(this.port, "perplexity");
		FileObject file = uploadThroughSdk(client, responsesLine("q1"));
		BatchCreateParams create = BatchCreateParams.builder()
			.inputFileId(file.id())
			.endpoint(BatchCreateParams.Endpoint.V1_RESPONSES)
			.completionWindow(BatchCreateParams.CompletionWindow._24H)
			.putAdditionalHeader("Idempotency-Key", "nightly-run-7")
			.build();
		Batch first = client.batches().create(create);
		Batch again = client.batches().create(create);
		assertThat(again.id()).isEqualTo(first.id());
		assertThat(perplexity.idempotencyKeys())
			.containsExactly(java.util.Map.entry(first.id(), Sha256.hex("gateway:tests\nnightly-run-7")));
	}

	@Test
	void perplexityLinesAreCheckedAtUploadNamingTheLine() {
		upload("perplexity",
				responsesLine("q1") + "{\"custom_id\":\"q2\",\"method\":\"GET\",\"url\":\"/v1/responses\","
						+ "\"body\":{}}\n")
			.expectStatus()
			.isBadRequest()
			.expectBody()
			.jsonPath("$.error.message")
			.value((String message) -> assertThat(message).contains("file line 2", "method 'GET' (expected: POST)"));
		assertThat(perplexity.received()).as("no complete upload").isEmpty();
	}

	@Test
	void groqTakesWindowsLongerThanADay() {
		OpenAIClient client = OpenAiClients.ferry(this.port, "groq");
		FileObject file = uploadThroughSdk(client, line("q1", "llama-3.1-8b-instant"));
		gateway().post()
			.uri("/v1/batches")
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue("{\"model\":\"groq/llama-3.1-8b-instant\",\"endpoint\":\"/v1/chat/completions\","
					+ "\"completion_window\":\"48h\",\"input_file_id\":\"" + file.id() + "\"}")
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody()
			.jsonPath("$.completion_window")
			.isEqualTo("48h");
	}

	private static FileObject uploadThroughSdk(OpenAIClient client, String content) {
		return client.files()
			.create(FileCreateParams.builder()
				.file(content.getBytes(StandardCharsets.UTF_8))
				.purpose(FilePurpose.BATCH)
				.build());
	}

	private WebTestClient.ResponseSpec upload(String provider, String content) {
		MultipartBodyBuilder form = new MultipartBodyBuilder();
		form.part("purpose", "batch");
		form.part("file", new ByteArrayResource(content.getBytes(StandardCharsets.UTF_8)) {
			@Override
			public String getFilename() {
				return "input.jsonl";
			}
		});
		return gateway().post()
			.uri("/v1/files?provider=" + provider)
			.body(BodyInserters.fromMultipartData(form.build()))
			.exchange();
	}

	private static String line(String customId, String model) {
		return "{\"custom_id\":\"" + customId + "\",\"method\":\"POST\",\"url\":\"/v1/chat/completions\",\"body\":"
				+ "{\"model\":\"" + model + "\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}}\n";
	}

	private static String responsesLine(String customId) {
		return "{\"custom_id\":\"" + customId + "\",\"method\":\"POST\",\"url\":\"/v1/responses\",\"body\":"
				+ "{\"model\":\"sonar\",\"input\":\"hi\"}}\n";
	}

	private WebTestClient gateway() {
		return GatewayKey.presentedBy(this.web);
	}

	private JsonNode json(WebTestClient.ResponseSpec response) {
		return this.mapper.readTree(response.expectBody().returnResult().getResponseBody());
	}

}
