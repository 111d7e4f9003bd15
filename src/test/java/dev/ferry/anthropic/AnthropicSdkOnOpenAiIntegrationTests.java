package dev.ferry.anthropic;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import com.anthropic.client.AnthropicClient;
import com.anthropic.client.okhttp.AnthropicOkHttpClient;
import com.anthropic.models.messages.Model;
import com.anthropic.models.messages.batches.BatchCreateParams;
import com.anthropic.models.messages.batches.MessageBatch;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import dev.ferry.batch.FerryIds;
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
		registry.add("ferry.providers.openai.base-url", () -> upstream.url("/v1").toString());
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

	private AnthropicClient client() {
		return AnthropicOkHttpClient.builder()
			.baseUrl("http://localhost:" + this.port + "/anthropic")
			.apiKey("sk-caller")
			.maxRetries(0)
			.build();
	}

}
