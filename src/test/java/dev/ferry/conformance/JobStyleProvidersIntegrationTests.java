package dev.ferry.conformance;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.openai.client.OpenAIClient;
import com.openai.errors.BadRequestException;
import com.openai.models.batches.Batch;
import com.openai.models.batches.BatchCreateParams;
import com.openai.models.files.FileCreateParams;
import com.openai.models.files.FilePurpose;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

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
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * What each provider with a batch format of its own receives, exactly, for batches run
 * through the official OpenAI SDK and the unified API: Mistral's model on the job and
 * lines without one, xAI's create body and its results read page after page, OpenRouter's
 * create body in the order it parses and its request limit, Cohere's dataset flows for
 * chat batches and embed jobs, Fireworks' dataset, upload and job with its inference
 * parameters; results that span several upstream pages or dataset files come back whole,
 * each once; requests a provider cannot take are refused with their line before anything
 * goes upstream.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@AutoConfigureWebTestClient(timeout = "30s")
class JobStyleProvidersIntegrationTests {

	static final MistralReplica mistral = new MistralReplica("mistral-key");

	static final XaiReplica xai = new XaiReplica("xai-key");

	static final OpenRouterReplica openRouter = new OpenRouterReplica("sk-or-key");

	static final CohereReplica cohere = new CohereReplica("co-key");

	static final FireworksReplica fireworks = new FireworksReplica("fw-key");

	private static final Map<String, JobReplica> REPLICAS = Map.of("mistral", mistral, "xai", xai, "openrouter",
			openRouter, "cohere", cohere, "fireworks", fireworks);

	private final JsonMapper mapper = JsonMapper.builder().build();

	@LocalServerPort
	int port;

	@Autowired
	WebTestClient web;

	@DynamicPropertySource
	static void providers(DynamicPropertyRegistry registry) throws Exception {
		GatewayKey.register(registry);
		String storage = java.nio.file.Files.createTempDirectory("ferry-jobs").toString();
		registry.add("ferry.storage.path", () -> storage);
		REPLICAS.forEach((name, replica) -> {
			MockUpstreams.withoutStatusCache(registry, name);
			replica.register(registry, name);
		});
	}

	@BeforeEach
	void clearLogs() {
		REPLICAS.values().forEach(Replica::clearLog);
	}

	@AfterEach
	void replicasRefusedNothing() {
		REPLICAS.forEach((name, replica) -> assertThat(replica.violations()).as("what %s refused", name).isEmpty());
	}

	@Test
	void mistralTakesLinesWithoutAModelAndTheModelOnTheJob() throws Exception {
		OpenAIClient client = OpenAiClients.ferry(this.port, "mistral");
		String id = OpenAiBatches.create(client, OpenAiBatches.chatLines("mistral-small-latest", List.of("a", "b")));
		List<RecordedRequest> received = mistral.received();
		assertThat(received).extracting((request) -> request.getMethod() + " " + request.getUrl().encodedPath())
			.containsExactly("POST /v1/files", "POST /v1/batch/jobs");
		JsonNode job = body(received.get(1));
		String uploaded = job.path("input_files").path(0).asString();
		assertThat(job).isEqualTo(this.mapper.readTree("{\"input_files\":[\"" + uploaded
				+ "\"],\"endpoint\":\"/v1/chat/completions\",\"model\":\"mistral-small-latest\",\"timeout_hours\":24}"));
		assertThat(mistral.fileLines(uploaded)).containsExactly(
				"{\"custom_id\":\"q0\",\"body\":{\"max_tokens\":16,\"messages\":[{\"role\":\"user\",\"content\":\"a\"}]}}",
				"{\"custom_id\":\"q1\",\"body\":{\"max_tokens\":16,\"messages\":[{\"role\":\"user\",\"content\":\"b\"}]}}");
		JsonNode unified = unified("mistral", id);
		assertThat(unified.path("status").asString()).isEqualTo("in_progress");
		assertThat(unified.path("processing_status").asString()).as("Mistral's own status").isEqualTo("RUNNING");
		assertThat(OpenAiBatches.awaitEnd(client, id, Duration.ofSeconds(20)).status())
			.isEqualTo(Batch.Status.COMPLETED);
	}

	@Test
	void mistralTakesInlineRequestsInTheJobItself() {
		ObjectNode create = inline("mistral/mistral-small-latest", List.of("a", "b"));
		create.putObject("metadata").put("team", "kit");
		json(gateway().post()
			.uri("/v1/batches")
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(create.toString())
			.exchange()
			.expectStatus()
			.isOk());
		assertThat(mistral.received()).singleElement().satisfies((job) -> {
			assertThat(job.getUrl().encodedPath()).isEqualTo("/v1/batch/jobs");
			assertThat(body(job)).isEqualTo(this.mapper.readTree("""
					{"requests":[
					  {"custom_id":"req-0","body":{"max_tokens":16,"messages":[{"role":"user","content":"a"}]}},
					  {"custom_id":"req-1","body":{"max_tokens":16,"messages":[{"role":"user","content":"b"}]}}],
					 "endpoint":"/v1/chat/completions","model":"mistral-small-latest","metadata":{"team":"kit"},
					 "timeout_hours":24}"""));
		});
	}

	@Test
	void xaiResultsAreReadPageAfterPage() throws Exception {
		OpenAIClient client = OpenAiClients.ferry(this.port, "xai");
		String id = OpenAiBatches.create(client,
				OpenAiBatches.chatLines("grok-4-fast", List.of("a", "b", "FAIL c", "d", "e")));
		RecordedRequest create = xai.received().get(1);
		assertThat(body(create)).isEqualTo(this.mapper.readTree("{\"name\":\"" + body(create).path("name").asString()
				+ "\",\"input_file_id\":\"" + body(create).path("input_file_id").asString() + "\"}"));
		Batch done = OpenAiBatches.awaitEnd(client, id, Duration.ofSeconds(20));
		assertThat(done.requestCounts().get().completed()).isEqualTo(4);
		xai.clearLog();
		List<String> customIds = new ArrayList<>();
		OpenAiBatches.lines(client, done.outputFileId().get()).forEach((line) -> {
			customIds.add(line.path("custom_id").asString());
			assertThat(line.at("/response/body/choices/0/message/content").asString()).startsWith("echo: ");
		});
		List<JsonNode> errors = OpenAiBatches.lines(client, done.errorFileId().get());
		assertThat(customIds).containsExactly("q0", "q1", "q3", "q4");
		assertThat(errors).singleElement()
			.satisfies((line) -> assertThat(line.at("/error/message").asString()).isEqualTo("the replica refused it"));
		List<String> pages = xai.received()
			.stream()
			.filter((request) -> request.getUrl().encodedPath().endsWith("/results"))
			.map((request) -> String.valueOf(request.getUrl().queryParameter("pagination_token")))
			.toList();
		assertThat(pages).as("each file reads the three pages of five results, in turn")
			.containsExactly("null", "2", "4", "null", "2", "4");
	}

	@Test
	void openRouterReadsEndpointAndModelBeforeTheRequests() throws Exception {
		OpenAIClient client = OpenAiClients.ferry(this.port, "openrouter");
		String id = OpenAiBatches.create(client, OpenAiBatches.chatLines("openai/gpt-4o-mini", List.of("a", "b")));
		RecordedRequest create = openRouter.received().get(0);
		String sent = new String(create.getBody().toByteArray(), StandardCharsets.UTF_8);
		assertThat(sent)
			.isEqualTo("{\"endpoint\":\"/v1/chat/completions\",\"model\":\"openai/gpt-4o-mini\",\"requests\":["
					+ "{\"custom_id\":\"q0\",\"body\":{\"max_tokens\":16,\"messages\":[{\"role\":\"user\",\"content\":\"a\"}]}},"
					+ "{\"custom_id\":\"q1\",\"body\":{\"max_tokens\":16,\"messages\":[{\"role\":\"user\",\"content\":\"b\"}]}}]}");
		assertThat(create.getHeaders().get("Content-Length")).isEqualTo(Integer.toString(sent.length()));
		Batch done = OpenAiBatches.awaitEnd(client, id, Duration.ofSeconds(20));
		assertThat(OpenAiBatches.lines(client, done.outputFileId().get()))
			.extracting((line) -> line.path("custom_id").asString())
			.containsExactly("q0", "q1");
	}

	@Test
	void openRouterRefusesMoreThan5000RequestsBeforeAnythingGoesUpstream() {
		OpenAIClient client = OpenAiClients.ferry(this.port, "openrouter");
		List<String> texts = new ArrayList<>();
		for (int i = 0; i < 5_001; i++) {
			texts.add("t");
		}
		BadRequestException refused = catchThrowableOfType(BadRequestException.class,
				() -> OpenAiBatches.create(client, OpenAiBatches.chatLines("openai/gpt-4o-mini", texts)));
		assertThat(refused.getMessage()).as("refused at upload already")
			.contains("more than 5000 lines", "provider 'openrouter' takes at most 5000");
		assertThat(openRouter.received()).isEmpty();
	}

	@Test
	void cohereChatBatchesRunOnAValidatedDatasetAndReadEveryOutputPart() throws Exception {
		OpenAIClient client = OpenAiClients.ferry(this.port, "cohere");
		String id = OpenAiBatches.create(client,
				OpenAiBatches.chatLines("command-a-03-2025", List.of("a", "b", "FAIL c", "d", "e")));
		List<RecordedRequest> received = cohere.received();
		assertThat(received).extracting((request) -> request.getMethod() + " " + request.getUrl().encodedPath())
			.containsExactly("POST /v1/datasets", "GET /v1/datasets/" + datasetOf(received),
					"GET /v1/datasets/" + datasetOf(received), "POST /v2/batches");
		assertThat(received.get(0).getUrl().queryParameter("type")).isEqualTo("batch-chat-v2-input");
		assertThat(received.get(0).getUrl().queryParameter("keep_fields")).isEqualTo("custom_id");
		assertThat(body(received.get(3)))
			.isEqualTo(this.mapper.readTree("{\"name\":\"" + body(received.get(3)).path("name").asString()
					+ "\",\"input_dataset_id\":\"" + datasetOf(received) + "\",\"model\":\"command-a-03-2025\"}"));
		Batch done = OpenAiBatches.awaitEnd(client, id, Duration.ofSeconds(20));
		cohere.clearLog();
		List<JsonNode> output = OpenAiBatches.lines(client, done.outputFileId().get());
		assertThat(output).extracting((line) -> line.path("custom_id").asString())
			.containsExactly("q0", "q1", "q3", "q4");
		assertThat(output.get(3).at("/response/body/choices/0/message/content").asString()).isEqualTo("echo: e");
		assertThat(output.get(3).at("/response/body/usage/total_tokens").asInt()).isEqualTo(5);
		assertThat(cohere.received()).filteredOn((request) -> request.getUrl().encodedPath().startsWith("/parts/"))
			.as("five rows in parts of two")
			.hasSize(3);
		assertThat(OpenAiBatches.lines(client, done.errorFileId().get())).singleElement()
			.satisfies((line) -> assertThat(line.at("/error/message").asString()).isEqualTo("the replica refused it"));
	}

	@Test
	void cohereEmbeddingBatchesRunAsEmbedJobs() throws Exception {
		OpenAIClient client = OpenAiClients.ferry(this.port, "cohere");
		String lines = "{\"custom_id\":\"e0\",\"method\":\"POST\",\"url\":\"/v1/embeddings\",\"body\":{\"model\":"
				+ "\"embed-v4.0\",\"input\":\"hello\"}}\n{\"custom_id\":\"e1\",\"method\":\"POST\",\"url\":"
				+ "\"/v1/embeddings\",\"body\":{\"model\":\"embed-v4.0\",\"input\":[\"world\"]}}\n";
		String fileId = client.files()
			.create(FileCreateParams.builder()
				.file(lines.getBytes(StandardCharsets.UTF_8))
				.purpose(FilePurpose.BATCH)
				.build())
			.id();
		Batch created = client.batches()
			.create(BatchCreateParams.builder()
				.inputFileId(fileId)
				.endpoint(BatchCreateParams.Endpoint.V1_EMBEDDINGS)
				.completionWindow(BatchCreateParams.CompletionWindow._24H)
				.putAdditionalBodyProperty("input_type", com.openai.core.JsonValue.from("classification"))
				.build());
		List<RecordedRequest> received = cohere.received();
		assertThat(received.get(0).getUrl().queryParameter("type")).isEqualTo("embed-input");
		assertThat(received).extracting((request) -> request.getMethod() + " " + request.getUrl().encodedPath())
			.contains("POST /v1/embed-jobs");
		JsonNode job = body(received.stream()
			.filter((request) -> request.getUrl().encodedPath().equals("/v1/embed-jobs"))
			.findFirst()
			.orElseThrow());
		assertThat(job.path("input_type").asString()).as("from the create body").isEqualTo("classification");
		assertThat(job.path("model").asString()).isEqualTo("embed-v4.0");
		Batch done = OpenAiBatches.awaitEnd(client, created.id(), Duration.ofSeconds(20));
		assertThat(done.requestCounts().get().total()).as("embed jobs count no rows: Ferry counted them").isEqualTo(2);
		assertThat(done.requestCounts().get().completed()).isEqualTo(2);
		assertThat(OpenAiBatches.lines(client, done.outputFileId().get())).hasSize(2).allSatisfy((line) -> {
			assertThat(line.at("/response/body/object").asString()).isEqualTo("list");
			assertThat(line.at("/response/body/data/0/embedding")).hasSize(2);
		});
	}

	@Test
	void cohereRefusesARequestItCannotTakeWithItsLine() {
		OpenAIClient client = OpenAiClients.ferry(this.port, "cohere");
		String lines = new String(OpenAiBatches.chatLines("command-a-03-2025", List.of("a", "b")),
				StandardCharsets.UTF_8)
			.replace("\"content\":\"b\"}]}", "\"content\":\"b\"}],\"logit_bias\":{\"1\":2}}");
		BadRequestException refused = catchThrowableOfType(BadRequestException.class,
				() -> OpenAiBatches.create(client, lines.getBytes(StandardCharsets.UTF_8)));
		assertThat(refused.getMessage()).contains("input file line 2", "custom_id 'q1'", "logit_bias");
		assertThat(cohere.received()).isEmpty();
	}

	@Test
	void fireworksRunsADatasetAnUploadAndAJobWithItsInferenceParameters() throws Exception {
		ObjectNode create = inline("fireworks/accounts/fireworks/models/llama-v3p1-8b-instruct",
				List.of("a", "b", "FAIL c", "d", "e"));
		create.putObject("inference_parameters")
			.put("max_tokens", 32)
			.put("temperature", 0.5)
			.putObject("extra_body")
			.put("a", 1);
		String id = json(gateway().post()
			.uri("/v1/batches")
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(create.toString())
			.exchange()
			.expectStatus()
			.isOk()).path("id").asString();
		List<RecordedRequest> received = fireworks.received();
		String base = "/v1/accounts/" + FireworksReplica.ACCOUNT;
		JsonNode dataset = body(received.get(0));
		String input = dataset.path("datasetId").asString();
		String jobId = received.get(2).getUrl().queryParameter("batchInferenceJobId");
		assertThat(received).extracting((request) -> request.getMethod() + " " + request.getUrl().encodedPath())
			.containsExactly("POST " + base + "/datasets", "POST " + base + "/datasets/" + input + ":upload",
					"POST " + base + "/batchInferenceJobs");
		assertThat(input).isEqualTo(jobId + "-input");
		assertThat(body(received.get(2))).isEqualTo(this.mapper.readTree("""
				{"displayName":"%s","model":"accounts/fireworks/models/llama-v3p1-8b-instruct",
				 "inputDatasetId":"accounts/%s/datasets/%s-input","outputDatasetId":"accounts/%s/datasets/%s-output",
				 "inferenceParameters":{"maxTokens":32,"temperature":0.5,"extraBody":"{\\"a\\":1}"}}""".formatted(
				body(received.get(2)).path("displayName").asString(), FireworksReplica.ACCOUNT, jobId,
				FireworksReplica.ACCOUNT, jobId)));
		OpenAIClient client = OpenAiClients.ferry(this.port, "fireworks");
		Batch done = OpenAiBatches.awaitEnd(client, id, Duration.ofSeconds(20));
		assertThat(OpenAiBatches.lines(client, done.outputFileId().get()))
			.extracting((line) -> line.path("custom_id").asString())
			.as("four results in two files of two")
			.containsExactly("req-0", "req-1", "req-3", "req-4");
		assertThat(OpenAiBatches.lines(client, done.errorFileId().get())).singleElement()
			.satisfies((line) -> assertThat(line.at("/error/code").asString()).isEqualTo("400"));
	}

	@Test
	void fireworksRefusesAnInferenceParameterItHasNoSettingFor() {
		ObjectNode create = inline("fireworks/accounts/fireworks/models/llama-v3p1-8b-instruct", List.of("a"));
		create.putObject("inference_parameters").put("frequency_penalty", 1);
		gateway().post()
			.uri("/v1/batches")
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(create.toString())
			.exchange()
			.expectStatus()
			.isBadRequest()
			.expectBody()
			.jsonPath("$.error.message")
			.value((String message) -> assertThat(message).contains("inference_parameters.frequency_penalty",
					"accepted"));
		assertThat(fireworks.received()).isEmpty();
	}

	private static String datasetOf(List<RecordedRequest> received) {
		return received.get(1).getUrl().encodedPath().substring("/v1/datasets/".length());
	}

	private ObjectNode inline(String model, List<String> texts) {
		ObjectNode body = this.mapper.createObjectNode().put("model", model).put("endpoint", "/v1/chat/completions");
		var requests = body.putArray("requests");
		for (int i = 0; i < texts.size(); i++) {
			ObjectNode params = requests.addObject().put("custom_id", "req-" + i).putObject("params");
			params.put("max_tokens", 16)
				.putArray("messages")
				.addObject()
				.put("role", "user")
				.put("content", texts.get(i));
		}
		return body;
	}

	private JsonNode unified(String provider, String id) {
		return json(
				gateway().get().uri("/v1/batches/" + id + "?provider=" + provider).exchange().expectStatus().isOk());
	}

	private JsonNode body(RecordedRequest request) {
		return this.mapper.readTree(request.getBody().toByteArray());
	}

	private WebTestClient gateway() {
		return GatewayKey.presentedBy(this.web);
	}

	private JsonNode json(WebTestClient.ResponseSpec response) {
		return this.mapper.readTree(response.expectBody().returnResult().getResponseBody());
	}

}
