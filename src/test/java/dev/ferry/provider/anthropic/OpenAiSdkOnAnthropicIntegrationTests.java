package dev.ferry.provider.anthropic;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import com.openai.client.OpenAIClient;
import com.openai.errors.BadRequestException;
import com.openai.models.batches.Batch;
import com.openai.models.batches.BatchCreateParams;
import com.openai.models.files.FileCreateParams;
import com.openai.models.files.FileObject;
import com.openai.models.files.FilePurpose;
import mockwebserver3.MockResponse;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import dev.ferry.support.AnthropicUpstream;
import dev.ferry.support.MockUpstreams;
import dev.ferry.support.OpenAiClients;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * The official OpenAI SDK running a batch on the Anthropic provider, end to end: Ferry
 * holds the uploaded JSONL, translates each {@code chat.completions} line into a Messages
 * request at create, maps the status, and serves Anthropic's results as OpenAI output and
 * error files. The Anthropic upstream is MockWebServer, which records what it got.
 */
class OpenAiSdkOnAnthropicIntegrationTests extends AnthropicUpstream {

	private static final String LONG_ID = "customer-4711/order-2026-11-22/line-00042/attempt-3/with-a-very-long-suffix";

	private static final String INPUT = String.join("\n",
			"{\"custom_id\":\"q1\",\"method\":\"POST\",\"url\":\"/v1/chat/completions\",\"body\":{\"model\":\"claude-sonnet-4-5\","
					+ "\"messages\":[{\"role\":\"system\",\"content\":\"Answer in French.\"},{\"role\":\"user\",\"content\":\"Hello\"}],"
					+ "\"max_completion_tokens\":100,\"temperature\":0.2,\"stop\":\"END\",\"n\":1}}",
			"{\"custom_id\":\"task:2\",\"method\":\"POST\",\"url\":\"/v1/chat/completions\",\"body\":{\"model\":\"claude-sonnet-4-5\","
					+ "\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"Weather?\"},"
					+ "{\"type\":\"image_url\",\"image_url\":{\"url\":\"data:image/png;base64,iVBORw0KGgo=\"}}]},"
					+ "{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[{\"id\":\"call_1\",\"type\":\"function\","
					+ "\"function\":{\"name\":\"weather\",\"arguments\":\"{\\\"city\\\":\\\"Paris\\\"}\"}}]},"
					+ "{\"role\":\"tool\",\"tool_call_id\":\"call_1\",\"content\":\"18C\"}],"
					+ "\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"weather\",\"parameters\":{\"type\":\"object\"}}}],"
					+ "\"tool_choice\":\"required\",\"parallel_tool_calls\":false}}",
			"{\"custom_id\":\"" + LONG_ID
					+ "\",\"method\":\"POST\",\"url\":\"/v1/chat/completions\",\"body\":{\"model\":\"claude-haiku-4-5\","
					+ "\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}}",
			"{\"custom_id\":\"late\",\"method\":\"POST\",\"url\":\"/v1/chat/completions\",\"body\":{\"model\":\"claude-haiku-4-5\","
					+ "\"messages\":[{\"role\":\"user\",\"content\":\"Bye\"}]}}")
			+ "\n";

	@Test
	void runsABatchFromUploadToTranslatedResults() throws Exception {
		OpenAIClient routed = OpenAiClients.ferry(this.port, "anthropic");
		OpenAIClient plain = OpenAiClients.ferry(this.port, null);

		FileObject upload = routed.files()
			.create(FileCreateParams.builder()
				.file(INPUT.getBytes(StandardCharsets.UTF_8))
				.purpose(FilePurpose.BATCH)
				.build());
		assertThat(upload.id()).startsWith("file-");
		assertThat(upload.bytes()).isEqualTo(INPUT.getBytes(StandardCharsets.UTF_8).length);
		assertThat(plain.files().retrieve(upload.id()).filename()).as("routed by the minted id alone")
			.isEqualTo("upload.jsonl");
		assertThat(plain.files().list().data()).extracting(FileObject::id).doesNotContain(upload.id());
		assertThat(routed.files().list().data()).extracting(FileObject::id).contains(upload.id());

		MockUpstreams.enqueueJson(upstream, 200, messageBatch("in_progress"));
		Batch created = plain.batches()
			.create(BatchCreateParams.builder()
				.inputFileId(upload.id())
				.endpoint(BatchCreateParams.Endpoint.V1_CHAT_COMPLETIONS)
				.completionWindow(BatchCreateParams.CompletionWindow._24H)
				.metadata(
						BatchCreateParams.Metadata.builder().putAdditionalProperty("team", jsonValue("search")).build())
				.build());
		assertThat(created.id()).startsWith("batch_");
		assertThat(created.status()).isEqualTo(Batch.Status.IN_PROGRESS);
		assertThat(created.inputFileId()).isEqualTo(upload.id());

		RecordedRequest create = MockUpstreams.take(upstream);
		assertThat(create.getTarget()).isEqualTo("/v1/messages/batches");
		assertThat(create.getHeaders().get("x-api-key")).isEqualTo("sk-ant-upstream");
		assertThat(create.getHeaders().get("anthropic-version")).isEqualTo("2023-06-01");
		assertThat(create.getHeaders().get("Content-Length")).isEqualTo(String.valueOf(create.getBodySize()));
		JsonNode requests = this.mapper.readTree(create.getBody().utf8()).path("requests");
		assertThat(requests).hasSize(4);
		JsonNode first = requests.get(0);
		assertThat(first.path("custom_id").asString()).isEqualTo("q1");
		assertThat(first.path("params"))
			.isEqualTo(this.mapper.readTree("{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":100,"
					+ "\"system\":[{\"type\":\"text\",\"text\":\"Answer in French.\"}],"
					+ "\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"Hello\"}]}],"
					+ "\"temperature\":0.2,\"stop_sequences\":[\"END\"]}"));
		JsonNode second = requests.get(1);
		assertThat(second.path("custom_id").asString()).as("remapped into Anthropic's format")
			.matches("[a-zA-Z0-9_-]{1,64}")
			.isNotEqualTo("task:2");
		assertThat(second.at("/params/messages/0/content/1/source")).isEqualTo(
				this.mapper.readTree("{\"type\":\"base64\",\"media_type\":\"image/png\",\"data\":\"iVBORw0KGgo=\"}"));
		assertThat(second.at("/params/messages/1/content/0")).isEqualTo(this.mapper
			.readTree("{\"type\":\"tool_use\",\"id\":\"call_1\",\"name\":\"weather\",\"input\":{\"city\":\"Paris\"}}"));
		assertThat(second.at("/params/messages/2/content/0")).isEqualTo(this.mapper.readTree(
				"{\"type\":\"tool_result\",\"tool_use_id\":\"call_1\",\"content\":[{\"type\":\"text\",\"text\":\"18C\"}]}"));
		assertThat(second.at("/params/tools/0"))
			.isEqualTo(this.mapper.readTree("{\"name\":\"weather\",\"input_schema\":{\"type\":\"object\"}}"));
		assertThat(second.at("/params/tool_choice"))
			.isEqualTo(this.mapper.readTree("{\"type\":\"any\",\"disable_parallel_tool_use\":true}"));
		JsonNode third = requests.get(2);
		assertThat(third.path("custom_id").asString()).matches("[a-zA-Z0-9_-]{1,64}");
		assertThat(third.at("/params/max_tokens").asInt()).as("the default when none is set").isEqualTo(4096);

		MockUpstreams.enqueueJson(upstream, 200, messageBatch("ended"));
		Batch ended = plain.batches().retrieve(created.id());
		assertThat(MockUpstreams.take(upstream).getTarget()).isEqualTo("/v1/messages/batches/msgbatch_x");
		assertThat(ended.status()).isEqualTo(Batch.Status.EXPIRED);
		assertThat(ended.requestCounts().orElseThrow().total()).isEqualTo(4);
		assertThat(ended.requestCounts().orElseThrow().completed()).isEqualTo(2);
		assertThat(ended.requestCounts().orElseThrow().failed()).isEqualTo(2);
		assertThat(ended.metadata().orElseThrow()._additionalProperties().get("team").asString()).hasValue("search");
		String outputFile = ended.outputFileId().orElseThrow();
		String errorFile = ended.errorFileId().orElseThrow();

		String results = String.join("\n", "{\"custom_id\":\"" + third.path("custom_id").asString()
				+ "\",\"result\":{\"type\":\"errored\",\"error\":"
				+ "{\"type\":\"error\",\"error\":{\"type\":\"invalid_request_error\",\"message\":\"bad model\"}}}}",
				"{\"custom_id\":\"q1\",\"result\":{\"type\":\"succeeded\",\"message\":{\"id\":\"msg_1\",\"type\":\"message\","
						+ "\"role\":\"assistant\",\"model\":\"claude-sonnet-4-5\",\"content\":[{\"type\":\"text\",\"text\":\"Bonjour\"}],"
						+ "\"stop_reason\":\"end_turn\",\"stop_sequence\":null,\"usage\":{\"input_tokens\":10,\"output_tokens\":3,"
						+ "\"cache_read_input_tokens\":5,\"cache_creation_input_tokens\":2}}}}",
				"{\"custom_id\":\"" + second.path("custom_id").asString()
						+ "\",\"result\":{\"type\":\"succeeded\",\"message\":"
						+ "{\"id\":\"msg_2\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"claude-sonnet-4-5\","
						+ "\"content\":[{\"type\":\"tool_use\",\"id\":\"toolu_1\",\"name\":\"weather\",\"input\":{\"city\":\"Lyon\"}}],"
						+ "\"stop_reason\":\"tool_use\",\"stop_sequence\":null,\"usage\":{\"input_tokens\":7,\"output_tokens\":9}}}}",
				"{\"custom_id\":\"late\",\"result\":{\"type\":\"expired\"}}") + "\n";

		List<JsonNode> output = download(plain, outputFile, results);
		assertThat(output).extracting((line) -> line.path("custom_id").asString()).containsExactly("q1", "task:2");
		JsonNode completion = output.get(0).at("/response/body");
		assertThat(output.get(0).at("/response/status_code").asInt()).isEqualTo(200);
		assertThat(completion.path("object").asString()).isEqualTo("chat.completion");
		assertThat(completion.at("/choices/0/message/content").asString()).isEqualTo("Bonjour");
		assertThat(completion.at("/choices/0/finish_reason").asString()).isEqualTo("stop");
		assertThat(completion.path("usage")).isEqualTo(this.mapper.readTree("{\"prompt_tokens\":17,"
				+ "\"completion_tokens\":3,\"total_tokens\":20,\"prompt_tokens_details\":{\"cached_tokens\":5,"
				+ "\"cache_write_tokens\":2},\"completion_tokens_details\":{\"reasoning_tokens\":0}}"));
		JsonNode toolCall = output.get(1).at("/response/body/choices/0");
		assertThat(toolCall.path("finish_reason").asString()).isEqualTo("tool_calls");
		assertThat(toolCall.at("/message/tool_calls/0/function/arguments").asString()).isEqualTo("{\"city\":\"Lyon\"}");

		List<JsonNode> errors = download(plain, errorFile, results);
		assertThat(errors).extracting((line) -> line.path("custom_id").asString()).containsExactly(LONG_ID, "late");
		assertThat(errors.get(0).at("/response/status_code").asInt()).isEqualTo(400);
		assertThat(errors.get(0).at("/response/body/error/message").asString()).isEqualTo("bad model");
		assertThat(errors.get(1).path("response").isNull()).isTrue();
		assertThat(errors.get(1).at("/error/code").asString()).isEqualTo("batch_expired");
	}

	@Test
	void aLineAnthropicCannotRunIsRefusedWithItsLineNumberBeforeAnythingGoesUpstream() {
		OpenAIClient client = OpenAiClients.ferry(this.port, "anthropic");
		String input = "{\"custom_id\":\"ok\",\"method\":\"POST\",\"url\":\"/v1/chat/completions\",\"body\":"
				+ "{\"model\":\"claude-haiku-4-5\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}}\n"
				+ "{\"custom_id\":\"hot\",\"method\":\"POST\",\"url\":\"/v1/chat/completions\",\"body\":"
				+ "{\"model\":\"claude-haiku-4-5\",\"temperature\":1.5,\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}}\n";
		FileObject upload = client.files()
			.create(FileCreateParams.builder()
				.file(input.getBytes(StandardCharsets.UTF_8))
				.purpose(FilePurpose.BATCH)
				.build());
		assertThatExceptionOfType(BadRequestException.class)
			.isThrownBy(() -> client.batches()
				.create(BatchCreateParams.builder()
					.inputFileId(upload.id())
					.endpoint(BatchCreateParams.Endpoint.V1_CHAT_COMPLETIONS)
					.completionWindow(BatchCreateParams.CompletionWindow._24H)
					.build()))
			.satisfies((error) -> assertThat(error.getMessage())
				.contains("input file line 2 (custom_id 'hot'): temperature: 1.5 (expected: 0 to 1"));
		assertThat(client.files().delete(upload.id()).deleted()).isTrue();
		assertThat(client.files().list().data()).extracting(FileObject::id).doesNotContain(upload.id());
	}

	private List<JsonNode> download(OpenAIClient client, String fileId, String results) throws Exception {
		MockUpstreams.enqueueJson(upstream, 200, messageBatch("ended"));
		upstream.enqueue(new MockResponse.Builder().code(200).chunkedBody(results, 64).build());
		List<JsonNode> lines = new ArrayList<>();
		try (var response = client.files().content(fileId)) {
			new String(response.body().readAllBytes(), StandardCharsets.UTF_8).lines()
				.forEach((line) -> lines.add(this.mapper.readTree(line)));
		}
		assertThat(MockUpstreams.take(upstream).getTarget()).isEqualTo("/v1/messages/batches/msgbatch_x");
		assertThat(MockUpstreams.take(upstream).getTarget()).isEqualTo("/v1/messages/batches/msgbatch_x/results");
		return lines;
	}

	private static String messageBatch(String processingStatus) {
		boolean ended = processingStatus.equals("ended");
		return """
				{"id":"msgbatch_x","type":"message_batch","processing_status":"%s",
				 "request_counts":{"processing":%d,"succeeded":%d,"errored":%d,"canceled":0,"expired":%d},
				 "created_at":"2026-11-22T00:00:00Z","expires_at":"2026-11-23T00:00:00Z","ended_at":%s,
				 "cancel_initiated_at":null,"archived_at":null,"results_url":%s}
				""".formatted(processingStatus, ended ? 0 : 4, ended ? 2 : 0, ended ? 1 : 0, ended ? 1 : 0,
				ended ? "\"2026-11-23T00:00:00Z\"" : "null",
				ended ? "\"" + upstream.url("/v1/messages/batches/msgbatch_x/results") + "\"" : "null");
	}

	private static com.openai.core.JsonValue jsonValue(String value) {
		return com.openai.core.JsonValue.from(value);
	}

}
