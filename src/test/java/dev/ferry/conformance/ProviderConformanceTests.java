package dev.ferry.conformance;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import com.openai.client.OpenAIClient;
import com.openai.core.JsonValue;
import com.openai.errors.OpenAIServiceException;
import com.openai.models.batches.Batch;
import com.openai.models.batches.BatchCreateParams;
import com.openai.models.batches.BatchListParams;
import com.openai.models.files.FileCreateParams;
import com.openai.models.files.FileObject;
import com.openai.models.files.FilePurpose;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import dev.ferry.batch.ProviderDescriptor;
import dev.ferry.batch.ProviderRegistry;
import dev.ferry.support.GatewayKey;
import dev.ferry.support.MockUpstreams;
import dev.ferry.support.OpenAiClients;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.core.io.ByteArrayResource;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.http.client.MultipartBodyBuilder;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.web.reactive.function.BodyInserters;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * The provider conformance kit: every provider family runs the same suite against its
 * replica (the sandbox in process), through the official OpenAI SDK and the unified API:
 * upload, create from a file and from inline requests, every status to the end, list
 * paging, cancel, expiry and validation failures where the provider has them, merged
 * results pages, file content, hostile ids, upstream errors in the caller's dialect, and
 * refusal of what the family's descriptor excludes. Each family is configured by its name
 * alone, with a key and (for the replica) a base URL. Adding a family is a descriptor, a
 * wire mapping and one line in {@link #FAMILIES}.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@AutoConfigureWebTestClient(timeout = "30s")
class ProviderConformanceTests {

	private static final Set<String> OPENAI_ENDPOINTS = Set.of("/v1/responses", "/v1/chat/completions",
			"/v1/embeddings", "/v1/completions", "/v1/moderations", "/v1/images/generations", "/v1/images/edits",
			"/v1/videos");

	private static final Pattern HOURS_OR_DAYS = Pattern.compile("([0-9]+)([hd])");

	static final List<KitFamily> FAMILIES = List.of(
			new KitFamily("openai",
					new OpenAiReplica(OpenAiReplica.Quirks.openAi("/v1", "sk-openai", OPENAI_ENDPOINTS)),
					"/v1/chat/completions", "gpt-4o-mini"),
			new KitFamily("azure",
					new OpenAiReplica(OpenAiReplica.Quirks
						.openAi("/openai/v1", "azure-key", Set.of("/v1/chat/completions", "/v1/responses"))
						.azure(null, Set.of("batch-deployment"))),
					"/v1/chat/completions", "gpt-4o-mini"),
			new KitFamily("groq",
					new OpenAiReplica(
							OpenAiReplica.Quirks.openAi("/openai/v1", "gsk-groq", Set.of("/v1/chat/completions"))
								.windows(ProviderConformanceTests::groqWindow)),
					"/v1/chat/completions", "llama-3.1-8b-instant"),
			new KitFamily("nebius",
					new OpenAiReplica(OpenAiReplica.Quirks.openAi("/v1", "nebius-key",
							Set.of("/v1/chat/completions", "/v1/embeddings"))),
					"/v1/chat/completions", "meta-llama/Llama-3.3-70B-Instruct"),
			new KitFamily("parasail",
					new OpenAiReplica(OpenAiReplica.Quirks.openAi("/v1", "parasail-key",
							Set.of("/v1/chat/completions", "/v1/embeddings"))),
					"/v1/chat/completions", "parasail-llama-33-70b"),
			new KitFamily("perplexity",
					new OpenAiReplica(
							OpenAiReplica.Quirks.openAi("/v1", "pplx-key", Set.of("/v1/responses")).perplexity()),
					"/v1/responses", "sonar"),
			new KitFamily("cerebras",
					new OpenAiReplica(
							OpenAiReplica.Quirks.openAi("/v1", "csk-key", Set.of("/v1/chat/completions")).cerebras()),
					"/v1/chat/completions", "llama-3.3-70b"),
			new KitFamily("anthropic", new AnthropicReplica("sk-ant-key"), "/v1/chat/completions", "claude-haiku-4-5"),
			new KitFamily("mistral", new MistralReplica("mistral-key"), "/v1/chat/completions", "mistral-small-latest"),
			new KitFamily("xai", new XaiReplica("xai-key"), "/v1/chat/completions", "grok-4-fast"),
			new KitFamily("openrouter", new OpenRouterReplica("sk-or-key"), "/v1/chat/completions",
					"openai/gpt-4o-mini"),
			new KitFamily("fireworks", new FireworksReplica("fw-key"), "/v1/chat/completions",
					"accounts/fireworks/models/llama-v3p1-8b-instruct"),
			new KitFamily("cohere", new CohereReplica("co-key"), "/v1/chat/completions", "command-a-03-2025"),
			new KitFamily("gemini", new GeminiReplica("gemini-key"), "/v1/chat/completions", "gemini-2.5-flash"),
			new KitFamily("vertex", new VertexReplica(), "/v1/chat/completions", "gemini-2.5-flash"),
			new KitFamily("vertex-claude", new VertexReplica(), "/v1/chat/completions", "claude-sonnet-4-5@20250929"),
			new KitFamily("bedrock", new BedrockReplica(), "/v1/chat/completions",
					"anthropic.claude-sonnet-4-5-20250929-v1:0"),
			new KitFamily("bedrock-nova", new BedrockReplica(), "/v1/chat/completions", "amazon.nova-lite-v1:0"),
			new KitFamily("bedrock-llama", new BedrockReplica(), "/v1/chat/completions",
					"meta.llama3-1-8b-instruct-v1:0"),
			new KitFamily("vllm", new SyncReplica(Duration.ofMillis(20)), "/v1/chat/completions",
					"meta-llama/Llama-3.1-8B-Instruct"),
			new KitFamily("sandbox", null, "/v1/chat/completions", "echo-1"));

	private static final List<String> LIFECYCLE = List.of("validating", "in_progress", "finalizing", "completed");

	private final JsonMapper mapper = JsonMapper.builder().build();

	@LocalServerPort
	int port;

	@Autowired
	WebTestClient web;

	@Autowired
	ProviderRegistry registry;

	/** Each family by its name alone: a key and the replica's base URL, nothing else. */
	@DynamicPropertySource
	static void providers(DynamicPropertyRegistry registry) {
		GatewayKey.register(registry);
		registry.add("ferry.storage.path", () -> tempDirectory());
		for (KitFamily family : FAMILIES) {
			MockUpstreams.withoutStatusCache(registry, family.name());
			if (family.replica() instanceof OpenAiReplica openAi) {
				registry.add("ferry.providers." + family.name() + ".base-url", openAi::baseUrl);
				registry.add("ferry.providers." + family.name() + ".api-key", () -> openAi.quirks().key());
			}
		}
		for (KitFamily family : FAMILIES) {
			if (family.replica() instanceof JobReplica job) {
				job.register(registry, family.name());
			}
		}
		registry.add("ferry.providers.vllm.base-url", () -> replica("vllm").baseUrl());
		registry.add("ferry.executed.poll-interval", () -> "100ms");
		registry.add("ferry.providers.anthropic.base-url", () -> replica("anthropic").baseUrl());
		registry.add("ferry.providers.anthropic.api-key", () -> "sk-ant-key");
		registry.add("ferry.providers.azure.deployments[gpt-4o-mini]", () -> "batch-deployment");
		registry.add("ferry.providers.sandbox.processing-time", () -> "1s");
	}

	static Stream<KitFamily> families() {
		return FAMILIES.stream();
	}

	@BeforeEach
	void clearReplicaLogs() {
		FAMILIES.stream().filter((family) -> family.replica() != null).forEach((family) -> family.replica().clearLog());
	}

	@AfterEach
	void replicasRefusedNothing() {
		for (KitFamily family : FAMILIES) {
			if (family.replica() != null) {
				assertThat(family.replica().violations()).as("what %s's replica refused", family.name()).isEmpty();
			}
		}
	}

	@ParameterizedTest
	@MethodSource("families")
	void uploadsAnInputFileToTheProviderOrHoldsIt(KitFamily family) throws Exception {
		String content = family.inputFile();
		FileObject file = upload(family, content);
		assertThat(file.purpose()).isEqualTo(FileObject.Purpose.BATCH);
		assertThat(client(family).files().retrieve(file.id()).id()).isEqualTo(file.id());
		String stored = content(family, file.id());
		if (family.openAiFormat()) {
			RecordedRequest upload = family.replica().received().get(0);
			assertThat(upload.getMethod()).isEqualTo("POST");
			assertThat(upload.getUrl().encodedPath()).endsWith("/files");
			List<String> lines = ((OpenAiReplica) family.replica()).fileLines(file.id());
			assertThat(lines).hasSize(3);
			if (family.name().equals("azure")) {
				assertThat(lines).as("each line on the deployment of its model")
					.allSatisfy((line) -> assertThat(line).contains("\"model\":\"batch-deployment\""));
			}
			else {
				assertThat(stored).isEqualTo(content);
			}
		}
		else {
			assertThat(stored).isEqualTo(content);
			if (family.replica() != null) {
				assertThat(family.replica().received()).as("Anthropic takes no files: Ferry holds them").isEmpty();
			}
		}
	}

	@ParameterizedTest
	@MethodSource("families")
	void runsAFileBatchThroughEveryStatusToTheEnd(KitFamily family) throws Exception {
		FileObject file = upload(family, family.inputFile());
		Batch created = client(family).batches()
			.create(BatchCreateParams.builder()
				.inputFileId(file.id())
				.endpoint(BatchCreateParams.Endpoint.of(family.endpoint()))
				.completionWindow(BatchCreateParams.CompletionWindow._24H)
				.metadata(BatchCreateParams.Metadata.builder()
					.putAdditionalProperty("kit", JsonValue.from("yes"))
					.build())
				.build());
		List<Batch> seen = new ArrayList<>(List.of(created));
		Batch done = awaitEnd(family, created.id(), seen);
		List<String> statuses = seen.stream().map((batch) -> batch.status().asString()).distinct().toList();
		assertThat(LIFECYCLE).as("the statuses seen, in order").containsSubsequence(statuses);
		assertThat(statuses).last().isEqualTo("completed");
		if (family.openAiFormat()) {
			assertThat(statuses).isEqualTo(LIFECYCLE);
			assertThat(seen).filteredOn((batch) -> batch.status().asString().equals("in_progress"))
				.first()
				.satisfies(
						(batch) -> assertThat(batch.requestCounts().get().completed()).as("live counts").isEqualTo(1));
		}
		assertThat(done.requestCounts().get().total()).isEqualTo(3);
		assertThat(done.requestCounts().get().completed()).isEqualTo(2);
		assertThat(done.requestCounts().get().failed()).isEqualTo(1);
		assertThat(done.metadata().get()._additionalProperties()).containsEntry("kit", JsonValue.from("yes"));

		List<JsonNode> output = lines(content(family, done.outputFileId().get()));
		assertThat(output).extracting((line) -> line.path("custom_id").asString())
			.containsExactlyInAnyOrder("ok-1", "ok-2");
		assertThat(output).allSatisfy((line) -> assertThat(line.at("/response/status_code").asInt()).isEqualTo(200));
		assertThat(output.toString()).contains("echo: Hello", "echo: Bonjour");
		List<JsonNode> errors = lines(content(family, done.errorFileId().get()));
		assertThat(errors).singleElement().satisfies((line) -> {
			assertThat(line.path("custom_id").asString()).isEqualTo("bad-1");
			assertThat(line.at("/response/status_code").asInt() == 400 || line.at("/error/code").isString())
				.as("an HTTP error or an error code: %s", line)
				.isTrue();
		});
	}

	@ParameterizedTest
	@MethodSource("families")
	void createsFromInlineRequestsAndPagesTheMergedResults(KitFamily family) throws Exception {
		JsonNode created = createInline(family, List.of("Hello", "FAIL", "Bonjour"));
		String id = created.path("id").asString();
		assertThat(created.at("/extra_fields/provider").asString()).isEqualTo(family.name());
		if (family.openAiFormat()) {
			assertThat(family.replica().received()).extracting(RecordedRequest::getMethod)
				.containsExactly("POST", "POST");
			assertThat(family.replica().received().get(1).getUrl().encodedPath()).endsWith("/batches");
		}
		else if (family.replica() instanceof SyncReplica sync) {
			awaitEnd(family, id, new ArrayList<>());
			assertThat(sync.received()).as("Ferry runs the batch itself, one call per request")
				.hasSize(3)
				.allSatisfy((request) -> assertThat(request.getUrl().encodedPath()).isEqualTo(family.endpoint()));
		}
		else if (family.replica() instanceof JobReplica job) {
			assertThat(job.received()).extracting((request) -> request.getUrl().encodedPath())
				.as("Ferry holds the requests as a file, then creates the job")
				.hasSameSizeAs(job.createPaths())
				.zipSatisfy(job.createPaths(), (path, expected) -> assertThat(path)
					.matches(Pattern.quote(expected).replace("{id}", "\\E[a-z0-9-]+\\Q")));
		}
		else if (family.replica() != null) {
			assertThat(family.replica().received()).singleElement()
				.satisfies((request) -> assertThat(request.getUrl().encodedPath()).isEqualTo("/v1/messages/batches"));
		}
		awaitEnd(family, id, new ArrayList<>());

		Map<String, JsonNode> items = new LinkedHashMap<>();
		String cursor = null;
		int pages = 0;
		do {
			JsonNode page = json(gateway().get()
				.uri("/v1/batches/" + id + "/results?provider=" + family.name() + "&limit=1"
						+ ((cursor != null) ? "&cursor=" + cursor : ""))
				.exchange()
				.expectStatus()
				.isOk());
			page.path("results").forEach((item) -> {
				assertThat(items.put(item.path("custom_id").asString(), item)).as("each result once").isNull();
			});
			cursor = page.path("has_more").asBoolean() ? page.path("next_cursor").asString() : null;
			pages++;
		}
		while (cursor != null && pages < 10);
		assertThat(items).containsOnlyKeys("req-0", "req-1", "req-2");
		assertThat(items.get("req-1").has("error")).as("the failed request has an error").isTrue();
		assertThat(items.get("req-0").has("error")).isFalse();
	}

	@ParameterizedTest
	@MethodSource("families")
	void listsBatchesNewestFirstAcrossPages(KitFamily family) throws Exception {
		List<String> ids = new ArrayList<>();
		for (int i = 0; i < 3; i++) {
			ids.add(createInline(family, List.of("list " + i)).path("id").asString());
		}
		List<String> listed = client(family).batches()
			.list(BatchListParams.builder().limit(2).build())
			.autoPager()
			.stream()
			.limit(3)
			.map(Batch::id)
			.toList();
		assertThat(listed).containsExactly(ids.get(2), ids.get(1), ids.get(0));
	}

	@ParameterizedTest
	@MethodSource("families")
	void cancelEndsTheBatchCancelledWithItsRequestsAccountedFor(KitFamily family) throws Exception {
		String id = createInline(family, List.of("one", "two")).path("id").asString();
		if (!this.registry.get(family.name()).descriptor().cancels()) {
			family.replica().clearLog();
			gateway().post()
				.uri("/v1/batches/" + id + "/cancel?provider=" + family.name())
				.exchange()
				.expectStatus()
				.isBadRequest()
				.expectBody()
				.jsonPath("$.error.message")
				.value((String message) -> assertThat(message).contains("cannot cancel a batch"));
			assertThat(family.replica().received()).as("refused before anything went upstream").isEmpty();
			return;
		}
		Batch cancelling = client(family).batches().cancel(id);
		assertThat(cancelling.status().asString()).isIn("cancelling", "cancelled");
		Batch done = awaitEnd(family, id, new ArrayList<>());
		assertThat(done.status().asString()).isEqualTo("cancelled");
		assertThat(done.cancellingAt()).isPresent();
		if (family.replica() instanceof SyncReplica) {
			assertThat(done.requestCounts().get().completed() + done.requestCounts().get().failed())
				.as("each request ran before the cancel or was never sent")
				.isEqualTo(2);
		}
		else if (family.replica() instanceof JobReplica) {
			assertThat(done.requestCounts().get().failed())
				.as("requests the job never ran are counted as failed, as OpenAI counts cancelled ones")
				.isEqualTo(2);
		}
		else if (family.replica() != null) {
			List<JsonNode> errors = lines(content(family, done.errorFileId().get()));
			assertThat(errors).hasSize(2)
				.allSatisfy((line) -> assertThat(line.at("/error/code").asString()).isIn("batch_cancelled",
						"batch_expired"));
		}
	}

	@ParameterizedTest
	@MethodSource("families")
	void anExpiredBatchEndsExpiredWhereTheProviderExpiresBatches(KitFamily family) throws Exception {
		if (family.replica() instanceof JobReplica job && job.expires()) {
			String id = createInline(family, List.of("one", "two")).path("id").asString();
			client(family).batches().retrieve(id);
			job.expire(dev.ferry.batch.FerryIds.decode("batch_", id).orElseThrow().nativeId());
			Batch expired = client(family).batches().retrieve(id);
			assertThat(expired.status()).isEqualTo(Batch.Status.EXPIRED);
			assertThat(expired.requestCounts().get().completed() + expired.requestCounts().get().failed())
				.as("every request accounted for")
				.isEqualTo(2);
			return;
		}
		if (!(family.replica() instanceof OpenAiReplica replica)) {
			return;
		}
		String id = createInline(family, List.of("one", "two")).path("id").asString();
		client(family).batches().retrieve(id);
		replica.expire(id);
		Batch expired = client(family).batches().retrieve(id);
		assertThat(expired.status()).isEqualTo(Batch.Status.EXPIRED);
		assertThat(lines(content(family, expired.errorFileId().get())))
			.anySatisfy((line) -> assertThat(line.at("/error/code").asString()).isEqualTo("batch_expired"));
	}

	@ParameterizedTest
	@MethodSource("families")
	void aFileTheProviderCannotRunEndsFailedWithTheLineOrIsRefusedFirst(KitFamily family) throws Exception {
		String wrongUrl = family.line("ok-1", family.body("Hello")).replace(family.endpoint(), "/v1/completions");
		if (family.name().equals("perplexity") || family.name().equals("anthropic")
				|| family.replica() instanceof JobReplica || family.replica() instanceof SyncReplica) {
			// These check every line before the provider runs anything: Ferry refuses the
			// file or the batch with the line.
			WebTestClient.ResponseSpec refused = family.name().equals("perplexity") ? uploadThroughWeb(family, wrongUrl)
					: createFromFileThroughWeb(family, upload(family, wrongUrl).id());
			refused.expectStatus().isBadRequest().expectBody().jsonPath("$.error.message").value((String message) -> {
				assertThat(message).contains("line 1");
			});
			return;
		}
		FileObject file = upload(family, wrongUrl);
		Batch created = client(family).batches()
			.create(BatchCreateParams.builder()
				.inputFileId(file.id())
				.endpoint(BatchCreateParams.Endpoint.of(family.endpoint()))
				.completionWindow(BatchCreateParams.CompletionWindow._24H)
				.build());
		Batch failed = awaitEnd(family, created.id(), new ArrayList<>());
		assertThat(failed.status()).isEqualTo(Batch.Status.FAILED);
		assertThat(failed.errors().get().data().get()).first()
			.satisfies((error) -> assertThat(error.line()).contains(1L));
	}

	@ParameterizedTest
	@MethodSource("families")
	void hostileIdsNeverReachTheProvider(KitFamily family) {
		for (String path : List.of("/openai/v1/batches/batch_1%2F..%2Ffiles", "/openai/v1/files/file-1%3Fx=1/content",
				"/v1/batches/batch%0Aevil?provider=" + family.name())) {
			gateway().method(HttpMethod.GET)
				.uri(URI.create("http://localhost:" + this.port + path))
				.header("x-model-provider", family.name())
				.exchange()
				.expectStatus()
				.isBadRequest();
		}
		if (family.replica() != null) {
			assertThat(family.replica().received()).isEmpty();
		}
	}

	@ParameterizedTest
	@MethodSource("families")
	void upstreamErrorsKeepTheirStatusAndMessageInTheCallersDialect(KitFamily family) throws Exception {
		if (family.replica() == null || family.replica() instanceof SyncReplica) {
			// The sandbox has no upstream; an executed batch's retrieve never calls one
			// (its lines' errors are tested with the runner).
			return;
		}
		String id = createInline(family, List.of("one")).path("id").asString();
		String error = family.replica().errorBody("replica is down");
		family.replica().failNext(500, error);
		OpenAIServiceException failure = catchThrowableOfType(OpenAIServiceException.class,
				() -> client(family).batches().retrieve(id));
		assertThat(failure.statusCode()).isEqualTo(500);
		assertThat(failure.getMessage()).contains("replica is down");

		family.replica().failNext(500, error);
		gateway().get()
			.uri("/v1/batches/" + id + "?provider=" + family.name())
			.exchange()
			.expectStatus()
			.isEqualTo(500)
			.expectBody()
			.jsonPath("$.error.message")
			.isEqualTo("replica is down")
			.jsonPath("$.extra_fields.provider")
			.isEqualTo(family.name());
	}

	@ParameterizedTest
	@MethodSource("families")
	void refusesWhatTheDescriptorExcludesBeforeAnythingGoesUpstream(KitFamily family) throws Exception {
		ProviderDescriptor descriptor = this.registry.get(family.name()).descriptor();
		String notRun = Stream.of("/v1/embeddings", "/v1/moderations", "/v1/messages", "/v1/responses")
			.filter((endpoint) -> !descriptor.endpoints().contains(endpoint))
			.findFirst()
			.orElseThrow();
		ObjectNode body = inlineBody(family, List.of("x"));
		body.put("endpoint", notRun);
		expectRefused(family, body, "endpoint", "is not run by provider '" + family.name() + "'");

		ObjectNode longWindow = inlineBody(family, List.of("x"));
		longWindow.put("completion_window", descriptor.windows().accepts("48h") ? "8d" : "48h");
		expectRefused(family, longWindow, "completion_window", "is not accepted by provider '" + family.name() + "'");

		for (String field : descriptor.refusedCreateFields()) {
			ObjectNode refused = inlineBody(family, List.of("x"));
			refused.putObject(field).put("anchor", "created_at").put("seconds", 3600);
			expectRefused(family, refused, field, "not supported by provider '" + family.name() + "'");
		}
		for (String field : descriptor.refusedUploadFields()) {
			MultipartBodyBuilder form = form(family, family.inputFile());
			form.part(field + "[anchor]", "created_at");
			gateway().post()
				.uri("/v1/files")
				.body(BodyInserters.fromMultipartData(form.build()))
				.exchange()
				.expectStatus()
				.isBadRequest()
				.expectBody()
				.jsonPath("$.error.message")
				.value((String message) -> assertThat(message).contains("not supported by provider"));
		}
		if (family.replica() != null) {
			assertThat(family.replica().received()).isEmpty();
		}
	}

	private void expectRefused(KitFamily family, ObjectNode body, String param, String message) {
		gateway().post()
			.uri("/v1/batches")
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(body.toString())
			.exchange()
			.expectStatus()
			.isBadRequest()
			.expectBody()
			.jsonPath("$.error.param")
			.isEqualTo(param)
			.jsonPath("$.error.message")
			.value((String text) -> assertThat(text).contains(message))
			.jsonPath("$.extra_fields.provider")
			.isEqualTo(family.name());
	}

	private FileObject upload(KitFamily family, String content) {
		return client(family).files()
			.create(FileCreateParams.builder()
				.file(content.getBytes(StandardCharsets.UTF_8))
				.purpose(FilePurpose.BATCH)
				.build());
	}

	private WebTestClient.ResponseSpec uploadThroughWeb(KitFamily family, String content) {
		return gateway().post()
			.uri("/v1/files")
			.body(BodyInserters.fromMultipartData(form(family, content).build()))
			.exchange();
	}

	private WebTestClient.ResponseSpec createFromFileThroughWeb(KitFamily family, String fileId) {
		return gateway().post()
			.uri("/v1/batches")
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(this.mapper.createObjectNode()
				.put("model", family.name() + "/" + family.model())
				.put("endpoint", family.endpoint())
				.put("input_file_id", fileId)
				.toString())
			.exchange();
	}

	private static MultipartBodyBuilder form(KitFamily family, String content) {
		MultipartBodyBuilder form = new MultipartBodyBuilder();
		form.part("provider", family.name());
		form.part("purpose", "batch");
		form.part("file", new ByteArrayResource(content.getBytes(StandardCharsets.UTF_8)) {
			@Override
			public String getFilename() {
				return "input.jsonl";
			}
		});
		return form;
	}

	/** A unified create with inline requests {@code req-0…}, one per text. */
	private JsonNode createInline(KitFamily family, List<String> texts) {
		return json(gateway().post()
			.uri("/v1/batches")
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(inlineBody(family, texts).toString())
			.exchange()
			.expectStatus()
			.isOk());
	}

	private ObjectNode inlineBody(KitFamily family, List<String> texts) {
		ObjectNode body = this.mapper.createObjectNode()
			.put("model", family.name() + "/" + family.model())
			.put("endpoint", family.endpoint());
		var requests = body.putArray("requests");
		for (int i = 0; i < texts.size(); i++) {
			ObjectNode params = texts.get(i).equals("FAIL") ? family.failing() : family.body(texts.get(i));
			params.remove("model");
			requests.addObject().put("custom_id", "req-" + i).set("params", params);
		}
		return body;
	}

	/**
	 * Polls until the batch has ended, as a poller would, adding every answer to
	 * {@code seen}.
	 */
	private Batch awaitEnd(KitFamily family, String id, List<Batch> seen) throws InterruptedException {
		long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
		while (System.nanoTime() < deadline) {
			Batch batch = client(family).batches().retrieve(id);
			seen.add(batch);
			if (Set.of("completed", "failed", "expired", "cancelled").contains(batch.status().asString())) {
				return batch;
			}
			Thread.sleep((family.replica() == null) ? 100 : 5);
		}
		throw new AssertionError("batch " + id + " of " + family.name() + " did not end: " + seen);
	}

	private String content(KitFamily family, String fileId) throws Exception {
		try (var response = client(family).files().content(fileId)) {
			return new String(response.body().readAllBytes(), StandardCharsets.UTF_8);
		}
	}

	private List<JsonNode> lines(String jsonl) {
		return jsonl.lines().filter((line) -> !line.isBlank()).map(this.mapper::readTree).toList();
	}

	private OpenAIClient client(KitFamily family) {
		return OpenAiClients.ferry(this.port, family.name());
	}

	private WebTestClient gateway() {
		return GatewayKey.presentedBy(this.web);
	}

	private JsonNode json(WebTestClient.ResponseSpec response) {
		return this.mapper.readTree(response.expectBody().returnResult().getResponseBody());
	}

	private static Replica replica(String name) {
		return FAMILIES.stream().filter((family) -> family.name().equals(name)).findFirst().orElseThrow().replica();
	}

	private static boolean groqWindow(String window) {
		var matcher = HOURS_OR_DAYS.matcher(window);
		if (!matcher.matches()) {
			return false;
		}
		long hours = Long.parseLong(matcher.group(1)) * (matcher.group(2).equals("d") ? 24 : 1);
		return hours >= 24 && hours <= 168;
	}

	private static String tempDirectory() {
		try {
			return java.nio.file.Files.createTempDirectory("ferry-kit").toString();
		}
		catch (java.io.IOException ex) {
			throw new java.io.UncheckedIOException(ex);
		}
	}

}
