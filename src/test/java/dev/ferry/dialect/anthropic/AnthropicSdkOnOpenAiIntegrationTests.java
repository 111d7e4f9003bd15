package dev.ferry.dialect.anthropic;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import com.anthropic.client.AnthropicClient;
import com.anthropic.client.okhttp.AnthropicOkHttpClient;
import com.anthropic.models.messages.Model;
import com.anthropic.models.messages.batches.BatchCreateParams;
import com.anthropic.models.messages.batches.BatchListParams;
import com.anthropic.models.messages.batches.MessageBatch;
import com.anthropic.models.messages.batches.MessageBatchIndividualResponse;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import dev.ferry.batch.FerryIds;
import dev.ferry.batch.Params;
import dev.ferry.support.GatewayKey;
import dev.ferry.support.MockUpstreams;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The official Anthropic SDK through Ferry to an OpenAI upstream played by MockWebServer:
 * what the upstream receives is OpenAI's file upload and batch create, with the requests
 * translated.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class AnthropicSdkOnOpenAiIntegrationTests {

	static final MockWebServer upstream = MockUpstreams.started();

	private final JsonMapper mapper = JsonMapper.builder().build();

	@LocalServerPort
	int port;

	@DynamicPropertySource
	static void upstreamProperties(DynamicPropertyRegistry registry) throws IOException {
		GatewayKey.register(registry);
		registry.add("ferry.providers.openai.base-url", () -> upstream.url("/v1").toString());
		MockUpstreams.withoutStatusCache(registry, "openai");
		registry.add("ferry.providers.openai.api-key", () -> "sk-openai-upstream");
		Path storage = Files.createTempDirectory("ferry-anthropic-openai-it");
		registry.add("ferry.storage.path", storage::toString);
	}

	@AfterEach
	void nothingLeftQueued() throws InterruptedException {
		MockUpstreams.assertNothingLeft(upstream);
	}

	@Test
	void uploadsTranslatedChatLinesThenCreatesTheBatch() throws Exception {
		MockUpstreams.enqueueJson(upstream, 200, "{\"id\":\"file-up\",\"object\":\"file\",\"bytes\":1,"
				+ "\"created_at\":1700000000,\"filename\":\"batch_requests.jsonl\",\"purpose\":\"batch\",\"status\":\"processed\"}");
		MockUpstreams.enqueueJson(upstream, 200,
				"""
						{"id":"batch_up","object":"batch","endpoint":"/v1/chat/completions","errors":null,"input_file_id":"file-up",
						 "completion_window":"24h","status":"validating","output_file_id":null,"error_file_id":null,
						 "created_at":1700000000,"expires_at":1700086400,"request_counts":{"total":0,"completed":0,"failed":0},
						 "metadata":null}
						""");
		MessageBatch batch = client().messages()
			.batches()
			.create(BatchCreateParams.builder()
				.addRequest(BatchCreateParams.Request.builder()
					.customId("q1")
					.params(BatchCreateParams.Request.Params.builder()
						.model(Model.of("openai/gpt-4o-mini"))
						.maxTokens(50)
						.system("Answer in French.")
						.addUserMessage("Hello")
						.addStopSequence("END")
						.build())
					.build())
				.build());
		assertThat(batch.id()).isEqualTo(FerryIds.mint("msgbatch_", "openai", "batch_up"));
		assertThat(batch.processingStatus()).isEqualTo(MessageBatch.ProcessingStatus.IN_PROGRESS);

		RecordedRequest upload = MockUpstreams.take(upstream);
		assertThat(upload.getTarget()).isEqualTo("/v1/files");
		assertThat(upload.getHeaders().get("Authorization")).isEqualTo("Bearer sk-openai-upstream");
		String form = upload.getBody().utf8();
		String line = form.lines().filter((text) -> text.startsWith("{\"custom_id\"")).findFirst().orElseThrow();
		assertThat(line).isEqualTo("{\"custom_id\":\"q1\",\"method\":\"POST\",\"url\":\"/v1/chat/completions\","
				+ "\"body\":{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"system\",\"content\":\"Answer in French.\"},"
				+ "{\"role\":\"user\",\"content\":\"Hello\"}],\"max_completion_tokens\":50,\"stop\":[\"END\"]}}");
		JsonNode created = this.mapper.readTree(MockUpstreams.take(upstream).getBody().utf8());
		assertThat(created.path("input_file_id").asString()).isEqualTo("file-up");
		assertThat(created.path("endpoint").asString()).isEqualTo("/v1/chat/completions");
		assertThat(created.path("completion_window").asString()).isEqualTo("24h");
	}

	@Test
	void pollsToEndedThenStreamsMergedResultsAndDeletesTheFiles() throws Exception {
		String id = FerryIds.mint("msgbatch_", "openai", "batch_up");
		MockUpstreams.enqueueJson(upstream, 200, openAiBatch("completed"));
		MessageBatch ended = client().messages().batches().retrieve(id);
		assertThat(MockUpstreams.take(upstream).getTarget()).isEqualTo("/v1/batches/batch_up");
		assertThat(ended.processingStatus()).isEqualTo(MessageBatch.ProcessingStatus.ENDED);
		assertThat(ended.requestCounts().succeeded()).isEqualTo(1);
		assertThat(ended.requestCounts().errored()).isEqualTo(3);
		assertThat(ended.resultsUrl())
			.contains("http://localhost:" + this.port + "/anthropic/v1/messages/batches/" + id + "/results");

		MockUpstreams.enqueueJson(upstream, 200, openAiBatch("completed"));
		enqueueFile("{\"id\":\"r1\",\"custom_id\":\"q1\",\"response\":{\"status_code\":200,\"body\":"
				+ "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\",\"model\":\"gpt-4o-mini\",\"choices\":[{\"index\":0,"
				+ "\"message\":{\"role\":\"assistant\",\"content\":\"Bonjour\"},\"finish_reason\":\"length\"}],"
				+ "\"usage\":{\"prompt_tokens\":9,\"completion_tokens\":2,\"total_tokens\":11,"
				+ "\"prompt_tokens_details\":{\"cached_tokens\":4}}}},\"error\":null}\n");
		enqueueFile("{\"id\":\"r2\",\"custom_id\":\"q2\",\"response\":{\"status_code\":429,\"body\":{\"error\":"
				+ "{\"message\":\"slow down\",\"type\":\"rate_limit\"}}},\"error\":null}\n"
				+ "{\"id\":\"r3\",\"custom_id\":\"q3\",\"response\":null,\"error\":{\"code\":\"batch_expired\",\"message\":\"x\"}}\n"
				+ "{\"id\":\"r4\",\"custom_id\":\"q4\",\"response\":null,\"error\":{\"code\":\"batch_cancelled\",\"message\":\"x\"}}\n");
		List<MessageBatchIndividualResponse> results;
		try (var stream = client().messages().batches().resultsStreaming(id)) {
			results = stream.stream().toList();
		}
		assertThat(MockUpstreams.take(upstream).getTarget()).isEqualTo("/v1/batches/batch_up");
		assertThat(MockUpstreams.take(upstream).getTarget()).isEqualTo("/v1/files/file-out/content");
		assertThat(MockUpstreams.take(upstream).getTarget()).isEqualTo("/v1/files/file-err/content");
		assertThat(results).extracting(MessageBatchIndividualResponse::customId)
			.containsExactly("q1", "q2", "q3", "q4");
		var message = results.get(0).result().succeeded().orElseThrow().message();
		assertThat(message.content().get(0).text().orElseThrow().text()).isEqualTo("Bonjour");
		assertThat(message.stopReason())
			.hasValueSatisfying((reason) -> assertThat(reason.toString()).isEqualTo("max_tokens"));
		assertThat(message.usage().inputTokens()).isEqualTo(5);
		assertThat(message.usage().cacheReadInputTokens()).hasValue(4L);
		assertThat(results.get(1).result().errored().orElseThrow().error().toString()).contains("rate_limit_error",
				"slow down");
		assertThat(results.get(2).result().isExpired()).isTrue();
		assertThat(results.get(3).result().isCanceled()).isTrue();

		MockUpstreams.enqueueJson(upstream, 200, openAiBatch("completed"));
		for (String file : List.of("file-up", "file-out", "file-err")) {
			MockUpstreams.enqueueJson(upstream, 200, "{\"id\":\"" + file + "\",\"object\":\"file\",\"deleted\":true}");
		}
		assertThat(client().messages().batches().delete(id).id()).isEqualTo(id);
		assertThat(MockUpstreams.take(upstream).getTarget()).isEqualTo("/v1/batches/batch_up");
		for (String file : List.of("file-up", "file-out", "file-err")) {
			RecordedRequest delete = MockUpstreams.take(upstream);
			assertThat(delete.getMethod()).isEqualTo("DELETE");
			assertThat(delete.getTarget()).isEqualTo("/v1/files/" + file);
		}
	}

	@Test
	void listsPageByPageAndCancelsInAnthropicsShape() throws Exception {
		MockUpstreams.enqueueJson(upstream, 200, "{\"object\":\"list\",\"data\":[" + openAiBatch("in_progress")
				+ "],\"first_id\":\"batch_up\",\"last_id\":\"batch_up\",\"has_more\":true}");
		MockUpstreams.enqueueJson(upstream, 200,
				"{\"object\":\"list\",\"data\":[" + openAiBatch("completed").replace("batch_up", "batch_old")
						+ "],\"first_id\":\"batch_old\",\"last_id\":\"batch_old\",\"has_more\":false}");
		// A list names no batch, so the client names the provider.
		List<MessageBatch> all = client().withOptions((options) -> options.putHeader("x-model-provider", "openai"))
			.messages()
			.batches()
			.list(BatchListParams.builder().limit(1).build())
			.autoPager()
			.stream()
			.toList();
		assertThat(all).extracting(MessageBatch::id)
			.containsExactly(FerryIds.mint("msgbatch_", "openai", "batch_up"),
					FerryIds.mint("msgbatch_", "openai", "batch_old"));
		assertThat(all).extracting(MessageBatch::processingStatus)
			.containsExactly(MessageBatch.ProcessingStatus.IN_PROGRESS, MessageBatch.ProcessingStatus.ENDED);
		assertThat(MockUpstreams.take(upstream).getTarget()).isEqualTo("/v1/batches?limit=1");
		assertThat(MockUpstreams.take(upstream).getTarget()).isEqualTo("/v1/batches?limit=1&after=batch_up");

		MockUpstreams.enqueueJson(upstream, 200, openAiBatch("cancelling"));
		MessageBatch cancelling = client().messages().batches().cancel(all.get(0).id());
		assertThat(cancelling.processingStatus()).isEqualTo(MessageBatch.ProcessingStatus.CANCELING);
		RecordedRequest cancel = MockUpstreams.take(upstream);
		assertThat(cancel.getMethod()).isEqualTo("POST");
		assertThat(cancel.getTarget()).isEqualTo("/v1/batches/batch_up/cancel");
	}

	private static String openAiBatch(String status) {
		boolean completed = status.equals("completed");
		return """
				{"id":"batch_up","object":"batch","endpoint":"/v1/chat/completions","errors":null,"input_file_id":"file-up",
				 "completion_window":"24h","status":"%s","output_file_id":%s,"error_file_id":%s,
				 "created_at":1700000000,"in_progress_at":1700000001,"expires_at":1700086400,"completed_at":%s,
				 "cancelling_at":%s,"request_counts":{"total":4,"completed":%d,"failed":%d},"metadata":null}
				"""
			.formatted(status, completed ? "\"file-out\"" : "null", completed ? "\"file-err\"" : "null",
					completed ? "1700000100" : "null", status.equals("cancelling") ? "1700000050" : "null",
					completed ? 1 : 0, completed ? 3 : 0);
	}

	@Test
	void paramsWithNoChatEqualAreRefusedNamingTheRequestBeforeAnythingGoesUpstream() {
		int before = upstream.getRequestCount();
		com.anthropic.errors.BadRequestException topK = org.assertj.core.api.Assertions.catchThrowableOfType(
				com.anthropic.errors.BadRequestException.class,
				() -> client().messages()
					.batches()
					.create(BatchCreateParams.builder()
						.addRequest(BatchCreateParams.Request.builder()
							.customId("k1")
							.params(BatchCreateParams.Request.Params.builder()
								.model(Model.of("openai/gpt-4o-mini"))
								.maxTokens(8)
								.addUserMessage("x")
								.putAdditionalProperty("top_k", com.anthropic.core.JsonValue.from(5))
								.build())
							.build())
						.build()));
		assertThat(topK.getMessage()).contains("request 'k1': top_k has no OpenAI chat.completions equivalent");
		assertThat(upstream.getRequestCount()).isEqualTo(before);
	}

	private static void enqueueFile(String jsonl) {
		upstream.enqueue(new MockResponse.Builder().code(200)
			.addHeader("Content-Type", "application/octet-stream")
			.chunkedBody(jsonl, 50)
			.build());
	}

	private AnthropicClient client() {
		return AnthropicOkHttpClient.builder()
			.baseUrl("http://localhost:" + this.port + "/anthropic")
			.apiKey(GatewayKey.KEY)
			.maxRetries(0)
			.build();
	}

}
