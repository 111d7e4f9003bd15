package dev.ferry.conformance;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import com.anthropic.client.AnthropicClient;
import com.anthropic.models.messages.batches.MessageBatch;
import com.anthropic.models.messages.batches.MessageBatchIndividualResponse;
import com.openai.client.OpenAIClient;
import com.openai.errors.BadRequestException;
import com.openai.models.batches.Batch;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.async.AsyncResponseTransformer;
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
 * What Bedrock and S3 receive, exactly, for batches run through the official OpenAI and
 * Anthropic SDKs: the records written to S3 with ids that carry their {@code custom_id},
 * the job with its role, model, locations and client request token; counts read from the
 * manifest when the job leaves them out; a batch below the minimum refused up front; the
 * S3 objects deleted with the batch.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@AutoConfigureWebTestClient(timeout = "30s")
class BedrockIntegrationTests {

	static final BedrockReplica bedrock = new BedrockReplica();

	private static final String CLAUDE = "anthropic.claude-sonnet-4-5-20250929-v1:0";

	private final JsonMapper mapper = JsonMapper.builder().build();

	@LocalServerPort
	int port;

	@Autowired
	WebTestClient web;

	@DynamicPropertySource
	static void providers(DynamicPropertyRegistry registry) throws Exception {
		GatewayKey.register(registry);
		String storage = java.nio.file.Files.createTempDirectory("ferry-bedrock").toString();
		registry.add("ferry.storage.path", () -> storage);
		MockUpstreams.withoutStatusCache(registry, "bedrock");
		bedrock.register(registry, "bedrock");
		// The same account, with Bedrock's usual minimum of records per job.
		bedrock.register(registry, "bedrock-min");
		registry.add("ferry.providers.bedrock-min.min-records", () -> 100);
		// And again, running the batches below the minimum itself on Bedrock's runtime.
		bedrock.register(registry, "bedrock-small");
		registry.add("ferry.providers.bedrock-small.min-records", () -> 100);
		registry.add("ferry.providers.bedrock-small.small-batches", () -> "executed");
		registry.add("ferry.executed.poll-interval", () -> "50ms");
	}

	@BeforeEach
	void clearLog() {
		bedrock.clearLog();
		bedrock.clearRuntimeCalls();
		bedrock.countsInManifestOnly(false);
		bedrock.output(1, true);
	}

	@AfterEach
	void replicaRefusedNothing() {
		assertThat(bedrock.violations()).isEmpty();
	}

	@Test
	void recordsCarryTheirIdsAndTheJobItsRoleModelLocationsAndToken() throws Exception {
		OpenAIClient client = OpenAiClients.ferry(this.port, "bedrock");
		String lines = chatLine("plain1", "a") + chatLine("with space/and-dash", "b");
		String id = OpenAiBatches.create(client, lines.getBytes(StandardCharsets.UTF_8));
		List<RecordedRequest> received = bedrock.received();
		assertThat(received).extracting((request) -> request.getMethod() + " " + request.getUrl().encodedPath())
			.containsExactly("POST /model-invocation-job", "GET /model-invocation-job/" + nativeId(id));
		JsonNode job = this.mapper.readTree(received.get(0).getBody().utf8());
		assertThat(job.path("roleArn").asString()).isEqualTo("arn:aws:iam::123456789012:role/ferry-batch");
		assertThat(job.path("modelId").asString()).isEqualTo(CLAUDE);
		assertThat(job.path("modelInvocationType").asString()).isEqualTo("InvokeModel");
		String input = job.at("/inputDataConfig/s3InputDataConfig/s3Uri").asString();
		assertThat(input).startsWith("s3://bedrock-data/input/").endsWith("/input.jsonl");
		assertThat(job.at("/outputDataConfig/s3OutputDataConfig/s3Uri").asString())
			.startsWith("s3://bedrock-data/output/");
		assertThat(job.path("clientRequestToken").asString()).isNotBlank();
		List<JsonNode> records = read(input.substring("s3://bedrock-data/".length())).lines()
			.map(this.mapper::readTree)
			.toList();
		assertThat(records.get(0)).isEqualTo(this.mapper.readTree("""
				{"recordId":"pplain1","modelInput":{"max_tokens":16,"messages":[{"role":"user","content":[
				 {"type":"text","text":"a"}]}],"anthropic_version":"bedrock-2023-05-31"}}"""));
		assertThat(records.get(1).path("recordId").asString()).matches("h[0-9a-f]+");

		Batch done = OpenAiBatches.awaitEnd(client, id, Duration.ofSeconds(20));
		assertThat(OpenAiBatches.lines(client, done.outputFileId().get()))
			.extracting((line) -> line.path("custom_id").asString() + " "
					+ line.at("/response/body/choices/0/message/content").asString())
			.containsExactly("plain1 echo: a", "with space/and-dash echo: b");

		GatewayKey.presentedBy(this.web)
			.delete()
			.uri("/v1/batches/" + id + "?provider=bedrock")
			.exchange()
			.expectStatus()
			.isOk();
		String folder = input.substring("s3://bedrock-data/".length(), input.length() - "input.jsonl".length());
		assertThat(keys("input/")).noneMatch((key) -> key.startsWith(folder));
		assertThat(keys("output/")).noneMatch((key) -> key.contains(nativeId(id)));
	}

	@Test
	void countsComeFromTheManifestWhenTheJobLeavesThemOut() throws Exception {
		bedrock.countsInManifestOnly(true);
		OpenAIClient client = OpenAiClients.ferry(this.port, "bedrock");
		String id = OpenAiBatches.create(client, OpenAiBatches.chatLines(CLAUDE, List.of("a", "FAIL b", "c")));
		Batch done = OpenAiBatches.awaitEnd(client, id, Duration.ofSeconds(20));
		assertThat(done.status()).isEqualTo(Batch.Status.COMPLETED);
		assertThat(done.requestCounts().get().total()).isEqualTo(3);
		assertThat(done.requestCounts().get().completed()).isEqualTo(2);
		assertThat(done.requestCounts().get().failed()).isEqualTo(1);
		assertThat(OpenAiBatches.lines(client, done.errorFileId().get())).singleElement().satisfies((line) -> {
			assertThat(line.path("custom_id").asString()).isEqualTo("q1");
			assertThat(line.at("/response/status_code").asInt()).isEqualTo(400);
		});
	}

	@Test
	void resultsAreReadFromEveryOutputObjectAndCountedFromThemWhenNothingElseSays() throws Exception {
		// Three output objects, no manifest, no counts in the job's answer: a job that
		// says Completed while a record failed must still show the failure.
		bedrock.output(3, false);
		bedrock.countsInManifestOnly(true);
		OpenAIClient client = OpenAiClients.ferry(this.port, "bedrock");
		List<String> texts = List.of("a", "b", "FAIL c", "d", "e", "f", "g");
		String id = OpenAiBatches.create(client, OpenAiBatches.chatLines(CLAUDE, texts));
		Batch done = OpenAiBatches.awaitEnd(client, id, Duration.ofSeconds(20));
		assertThat(keys("output/")).filteredOn((key) -> key.contains(nativeId(id)))
			.hasSize(3)
			.noneMatch((key) -> key.contains("manifest"));
		assertThat(done.requestCounts().get().total()).isEqualTo(7);
		assertThat(done.requestCounts().get().completed()).isEqualTo(6);
		assertThat(done.requestCounts().get().failed()).isEqualTo(1);
		assertThat(OpenAiBatches.lines(client, done.outputFileId().get()))
			.extracting((line) -> line.path("custom_id").asString())
			.containsExactlyInAnyOrder("q0", "q1", "q3", "q4", "q5", "q6");
		assertThat(OpenAiBatches.lines(client, done.errorFileId().get()))
			.extracting((line) -> line.path("custom_id").asString())
			.containsExactly("q2");
	}

	@Test
	void embeddingBatchesRunOnTitan() throws Exception {
		OpenAIClient client = OpenAiClients.ferry(this.port, "bedrock");
		String id = embeddingBatch(client,
				"{\"model\":\"amazon.titan-embed-text-v2:0\",\"input\":\"hello\",\"dimensions\":256}");
		JsonNode job = creates().get(0);
		assertThat(job.path("modelInvocationType").asString()).isEqualTo("InvokeModel");
		String input = job.at("/inputDataConfig/s3InputDataConfig/s3Uri").asString();
		assertThat(firstRecord(input)).isEqualTo(this.mapper
			.readTree("{\"recordId\":\"pe0\",\"modelInput\":{\"inputText\":\"hello\",\"dimensions\":256}}"));
		Batch done = OpenAiBatches.awaitEnd(client, id, Duration.ofSeconds(20));
		assertThat(OpenAiBatches.lines(client, done.outputFileId().get())).singleElement().satisfies((line) -> {
			assertThat(line.at("/response/body/object").asString()).isEqualTo("list");
			assertThat(line.at("/response/body/data/0/embedding")).hasSize(2);
			assertThat(line.at("/response/body/usage/prompt_tokens").asInt()).isEqualTo(3);
		});
	}

	@Test
	void aBatchBelowTheMinimumIsRefusedBeforeAnythingGoesUpstream() {
		OpenAIClient client = OpenAiClients.ferry(this.port, "bedrock-min");
		BadRequestException refused = catchThrowableOfType(BadRequestException.class,
				() -> OpenAiBatches.create(client, OpenAiBatches.chatLines(CLAUDE, List.of("a", "b"))));
		assertThat(refused.getMessage()).contains("the batch has 2 requests", "at least 100", "min-records");
		assertThat(bedrock.received()).isEmpty();
	}

	@Test
	void anthropicSdkBatchesReachClaudeUntranslatedAndTheirMessagesComeBackAsTheyAre() throws Exception {
		AnthropicClient client = AnthropicBatches.ferry(this.port);
		// Thinking and a cache_control block have no chat equal: only an untranslated
		// request
		// carries them.
		MessageBatch batch = client.messages()
			.batches()
			.create(com.anthropic.models.messages.batches.BatchCreateParams.builder()
				.addRequest(com.anthropic.models.messages.batches.BatchCreateParams.Request.builder()
					.customId("m1")
					.params(com.anthropic.models.messages.batches.BatchCreateParams.Request.Params.builder()
						.model(com.anthropic.models.messages.Model.of("bedrock/" + CLAUDE))
						.maxTokens(2048)
						.enabledThinking(1024L)
						.systemOfTextBlockParams(List.of(com.anthropic.models.messages.TextBlockParam.builder()
							.text("Be brief.")
							.cacheControl(com.anthropic.models.messages.CacheControlEphemeral.builder().build())
							.build()))
						.addUserMessage("hello")
						.build())
					.build())
				.build());
		JsonNode job = creates().get(0);
		String input = job.at("/inputDataConfig/s3InputDataConfig/s3Uri").asString();
		assertThat(input).endsWith("/messages.jsonl");
		assertThat(firstRecord(input)).isEqualTo(this.mapper.readTree("""
					{"recordId":"pm1","modelInput":{"anthropic_version":"bedrock-2023-05-31","max_tokens":2048,
					 "messages":[{"role":"user","content":"hello"}],
					 "system":[{"text":"Be brief.","type":"text","cache_control":{"type":"ephemeral"}}],
				"thinking":{"type":"enabled","budget_tokens":1024}}}"""));

		batch = AnthropicBatches.awaitEnded(client, batch, Duration.ofSeconds(20));
		List<MessageBatchIndividualResponse> results = AnthropicBatches.results(client, batch.id());
		assertThat(results).singleElement().satisfies((result) -> {
			assertThat(result.customId()).isEqualTo("m1");
			com.anthropic.models.messages.Message message = result.result().succeeded().orElseThrow().message();
			// The replica's own message id: the message was not rebuilt from a
			// completion.
			assertThat(message.id()).isEqualTo("msg_bdrk_pm1");
			assertThat(message.content().get(0).text().orElseThrow().text()).isEqualTo("echo: hello");
			assertThat(message.usage().inputTokens()).isEqualTo(3);
		});
	}

	@Test
	void messagesBatchesOnNovaAreTranslatedToConverseAndBackToMessages() throws Exception {
		AnthropicClient client = AnthropicBatches.ferry(this.port);
		MessageBatch batch = AnthropicBatches.createOne(client, "bedrock/amazon.nova-lite-v1:0", "hello");
		JsonNode job = creates().get(0);
		assertThat(job.path("modelInvocationType").asString()).isEqualTo("Converse");
		String input = job.at("/inputDataConfig/s3InputDataConfig/s3Uri").asString();
		JsonNode record = firstRecord(input);
		assertThat(record.at("/modelInput/system/0/text").asString()).isEqualTo("Be brief.");
		assertThat(record.at("/modelInput/inferenceConfig/maxTokens").asInt()).isEqualTo(32);
		batch = AnthropicBatches.awaitEnded(client, batch, Duration.ofSeconds(20));
		assertThat(AnthropicBatches.results(client, batch.id())).singleElement().satisfies((result) -> {
			com.anthropic.models.messages.Message message = result.result().succeeded().orElseThrow().message();
			assertThat(message.content().get(0).text().orElseThrow().text()).isEqualTo("echo: hello");
			assertThat(message.stopReason()).contains(com.anthropic.models.messages.StopReason.END_TURN);
		});
	}

	@Test
	void aMessagesRequestBedrockWouldRefuseIsRefusedBeforeTheJob() {
		AnthropicClient client = AnthropicBatches.ferry(this.port);
		com.anthropic.errors.BadRequestException refused = catchThrowableOfType(
				com.anthropic.errors.BadRequestException.class,
				() -> client.messages()
					.batches()
					.create(com.anthropic.models.messages.batches.BatchCreateParams.builder()
						.addRequest(com.anthropic.models.messages.batches.BatchCreateParams.Request.builder()
							.customId("m1")
							.params(com.anthropic.models.messages.batches.BatchCreateParams.Request.Params.builder()
								.model(com.anthropic.models.messages.Model.of("bedrock/" + CLAUDE))
								.maxTokens(32)
								.metadata(com.anthropic.models.messages.Metadata.builder()
									.putAdditionalProperty("team", com.anthropic.core.JsonValue.from("a"))
									.build())
								.addUserMessage("hello")
								.build())
							.build())
						.build()));
		assertThat(refused.getMessage()).contains("m1", "metadata.team", "user_id");
		assertThat(bedrock.received()).isEmpty();
	}

	@Test
	void embeddingBatchesRunOnCohereEmbed() throws Exception {
		OpenAIClient client = OpenAiClients.ferry(this.port, "bedrock");
		String id = embeddingBatch(client,
				"{\"model\":\"cohere.embed-english-v3\",\"input\":[\"one\",\"two\"],\"input_type\":\"search_query\"}");
		JsonNode job = creates().get(0);
		assertThat(job.path("modelInvocationType").asString()).isEqualTo("InvokeModel");
		String input = job.at("/inputDataConfig/s3InputDataConfig/s3Uri").asString();
		assertThat(firstRecord(input)).isEqualTo(this.mapper.readTree("""
				{"recordId":"pe0","modelInput":{"texts":["one","two"],"input_type":"search_query"}}"""));
		Batch done = OpenAiBatches.awaitEnd(client, id, Duration.ofSeconds(20));
		assertThat(OpenAiBatches.lines(client, done.outputFileId().get())).singleElement().satisfies((line) -> {
			assertThat(line.at("/response/body/data")).hasSize(2);
			assertThat(line.at("/response/body/data/1/index").asInt()).isEqualTo(1);
			assertThat(line.at("/response/body/data/1/embedding/0").asDouble()).isEqualTo(0.75);
		});
	}

	@Test
	void withSmallBatchesExecutedABatchBelowTheMinimumRunsOnTheRuntimeInstead() throws Exception {
		// Bedrock's first answer is a throttle, which the runner waits out.
		bedrock.failNext(429, "{\"message\":\"Too many requests, please wait before trying again.\"}");
		OpenAIClient client = OpenAiClients.ferry(this.port, "bedrock-small");
		String id = OpenAiBatches.create(client, OpenAiBatches.chatLines(CLAUDE, List.of("a", "FAIL b", "c")));
		assertThat(nativeId(id)).startsWith("exec-");
		Batch done = OpenAiBatches.awaitEnd(client, id, Duration.ofSeconds(20));
		assertThat(done.status()).isEqualTo(Batch.Status.COMPLETED);
		assertThat(done.requestCounts().get().completed()).isEqualTo(2);
		assertThat(done.requestCounts().get().failed()).isEqualTo(1);
		assertThat(bedrock.received()).extracting((request) -> request.getUrl().encodedPath())
			.noneMatch((path) -> path.startsWith("/model-invocation-job"));
		assertThat(bedrock.runtimeCalls()).containsOnly(CLAUDE + " invoke").hasSize(3);
		// Four calls: the throttled one was made again.
		assertThat(bedrock.received()).filteredOn((request) -> request.getUrl().encodedPath().startsWith("/model/"))
			.hasSize(4);
		assertThat(OpenAiBatches.lines(client, done.outputFileId().get()))
			.extracting((line) -> line.path("custom_id").asString() + " "
					+ line.at("/response/body/choices/0/message/content").asString() + " "
					+ line.at("/response/body/usage/total_tokens").asInt())
			.containsExactlyInAnyOrder("q0 echo: a 5", "q2 echo: c 5");
		assertThat(OpenAiBatches.lines(client, done.errorFileId().get())).singleElement().satisfies((line) -> {
			assertThat(line.path("custom_id").asString()).isEqualTo("q1");
			assertThat(line.at("/response/status_code").asInt()).isEqualTo(400);
			assertThat(line.at("/response/body/error/code").asString()).isEqualTo("ValidationException");
		});
		// The provider's list has it, among its jobs.
		assertThat(client.batches().list(com.openai.models.batches.BatchListParams.builder().limit(20).build()).data())
			.extracting(Batch::id)
			.contains(id);
	}

	@Test
	void aSmallMessagesBatchOnNovaRunsOnConverseAndAnswersInMessages() throws Exception {
		AnthropicClient client = AnthropicBatches.ferry(this.port);
		MessageBatch batch = AnthropicBatches.createOne(client, "bedrock-small/amazon.nova-lite-v1:0", "hello");
		batch = AnthropicBatches.awaitEnded(client, batch, Duration.ofSeconds(20));
		assertThat(bedrock.runtimeCalls()).containsExactly("amazon.nova-lite-v1:0 converse");
		JsonNode call = this.mapper.readTree(bedrock.received()
			.stream()
			.filter((request) -> request.getUrl().encodedPath().endsWith("/converse"))
			.findFirst()
			.orElseThrow()
			.getBody()
			.utf8());
		assertThat(call.at("/system/0/text").asString()).isEqualTo("Be brief.");
		assertThat(AnthropicBatches.results(client, batch.id())).singleElement().satisfies((result) -> {
			com.anthropic.models.messages.Message message = result.result().succeeded().orElseThrow().message();
			assertThat(message.content().get(0).text().orElseThrow().text()).isEqualTo("echo: hello");
		});
	}

	@Test
	void aCreateWhoseAnswerIsLostIsMadeAgainWithItsTokenAndMakesOneJob() throws Exception {
		int jobs = bedrock.jobCount();
		bedrock.loseCreateAnswers(1);
		OpenAIClient client = OpenAiClients.ferry(this.port, "bedrock");
		String id = OpenAiBatches.create(client, OpenAiBatches.chatLines(CLAUDE, List.of("a")));
		List<JsonNode> creates = creates();
		assertThat(creates).hasSize(2);
		assertThat(creates).extracting((create) -> create.path("clientRequestToken").asString())
			.containsOnly(creates.get(0).path("clientRequestToken").asString());
		assertThat(bedrock.jobCount()).isEqualTo(jobs + 1);
		assertThat(client.batches().retrieve(id).status()).isNotNull();
	}

	@Test
	void aCreateRetriedWithItsIdempotencyKeyAfterAFailureReturnsTheSameJob() throws Exception {
		int jobs = bedrock.jobCount();
		// The first create's three attempts all lose their answer, though Bedrock made
		// the job.
		bedrock.loseCreateAnswers(3);
		OpenAIClient client = OpenAiClients.ferry(this.port, "bedrock");
		String fileId = client.files()
			.create(com.openai.models.files.FileCreateParams.builder()
				.file(OpenAiBatches.chatLines(CLAUDE, List.of("a", "b")))
				.purpose(com.openai.models.files.FilePurpose.BATCH)
				.build())
			.id();
		com.openai.models.batches.BatchCreateParams create = com.openai.models.batches.BatchCreateParams.builder()
			.inputFileId(fileId)
			.endpoint(com.openai.models.batches.BatchCreateParams.Endpoint.V1_CHAT_COMPLETIONS)
			.completionWindow(com.openai.models.batches.BatchCreateParams.CompletionWindow._24H)
			.putAdditionalHeader("Idempotency-Key", "nightly-2026-11-29")
			.build();
		com.openai.errors.OpenAIServiceException lost = catchThrowableOfType(
				com.openai.errors.OpenAIServiceException.class, () -> client.batches().create(create));
		assertThat(lost.statusCode()).isEqualTo(504);

		Batch again = client.batches().create(create);
		assertThat(bedrock.jobCount()).isEqualTo(jobs + 1);
		List<JsonNode> creates = creates();
		assertThat(creates).hasSize(4);
		assertThat(creates).extracting((each) -> each.path("clientRequestToken").asString())
			.containsOnly(creates.get(0).path("clientRequestToken").asString());
		String input = creates.get(0).at("/inputDataConfig/s3InputDataConfig/s3Uri").asString();
		String folder = input.substring("s3://bedrock-data/".length(), input.lastIndexOf('/') + 1);
		assertThat(keys(folder)).containsExactly(folder + "input.jsonl");
		assertThat(nativeId(again.id())).isEqualTo(bedrock.lastJobId());
		// A third create with the key is answered from Ferry's record, without Bedrock.
		assertThat(client.batches().create(create).id()).isEqualTo(again.id());
		assertThat(creates()).hasSize(4);
	}

	/** An embeddings batch of one request, {@code e0}. */
	private static String embeddingBatch(OpenAIClient client, String body) {
		String line = "{\"custom_id\":\"e0\",\"method\":\"POST\",\"url\":\"/v1/embeddings\",\"body\":" + body + "}\n";
		return OpenAiBatches.create(client, line.getBytes(StandardCharsets.UTF_8),
				com.openai.models.batches.BatchCreateParams.Endpoint.V1_EMBEDDINGS);
	}

	/** The first record of an input object Ferry wrote. */
	private JsonNode firstRecord(String inputUri) {
		return this.mapper.readTree(read(inputUri.substring("s3://bedrock-data/".length())).lines().findFirst().get());
	}

	/** The job creates Bedrock received, in order. */
	private List<JsonNode> creates() {
		return bedrock.received()
			.stream()
			.filter((request) -> request.getMethod().equals("POST")
					&& request.getUrl().encodedPath().equals("/model-invocation-job"))
			.map((request) -> this.mapper.readTree(request.getBody().utf8()))
			.toList();
	}

	private static String nativeId(String id) {
		return dev.ferry.batch.FerryIds.decode("batch_", id).orElseThrow().nativeId();
	}

	private static String read(String key) {
		return bedrock.s3()
			.client()
			.getObject((get) -> get.bucket(BedrockReplica.BUCKET).key(key), AsyncResponseTransformer.toBytes())
			.join()
			.asUtf8String();
	}

	private static List<String> keys(String prefix) {
		return bedrock.s3()
			.client()
			.listObjectsV2((list) -> list.bucket(BedrockReplica.BUCKET).prefix(prefix))
			.join()
			.contents()
			.stream()
			.map(software.amazon.awssdk.services.s3.model.S3Object::key)
			.toList();
	}

	/** A chat line as the OpenAI SDK's users write them, with its id. */
	private static String chatLine(String customId, String text) {
		return new String(OpenAiBatches.chatLines(CLAUDE, List.of(text)), StandardCharsets.UTF_8).replace("\"q0\"",
				"\"" + customId + "\"");
	}

}
