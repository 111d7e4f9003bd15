package dev.ferry.provider.executed;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.openai.client.OpenAIClient;
import com.openai.models.batches.Batch;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import dev.ferry.support.GatewayKey;
import dev.ferry.support.MockUpstreams;
import dev.ferry.support.OpenAiBatches;
import dev.ferry.support.OpenAiClients;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A batch Ferry runs itself, through the official OpenAI SDK, against a server that
 * rate-limits, fails and cuts connections: every request is answered exactly once in the
 * output or error file, the provider's concurrency limit is never exceeded, rate limits
 * slow the batch down without failing lines, and the server sees no more calls than lines
 * plus the retries its faults caused.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class ExecutedBatchesIntegrationTests {

	private static final int LINES = 10_000;

	private static final int MAX_CONCURRENCY = 4;

	static final ChatUpstream upstream = new ChatUpstream(0,
			(call) -> (call >= 2_000 && call < 2_040) || call % 251 == 0, (call) -> call % 1_999 == 0,
			(call) -> call % 211 == 0);

	static final MockWebServer server = MockUpstreams.started();

	@LocalServerPort
	int port;

	@DynamicPropertySource
	static void providers(DynamicPropertyRegistry registry) throws Exception {
		server.setDispatcher(upstream);
		GatewayKey.register(registry);
		String storage = java.nio.file.Files.createTempDirectory("ferry-executed").toString();
		registry.add("ferry.storage.path", () -> storage);
		registry.add("ferry.providers.vllm.base-url", () -> server.url("/v1").toString());
		registry.add("ferry.providers.vllm.max-concurrency", () -> MAX_CONCURRENCY);
		registry.add("ferry.executed.chunk-size", () -> 200);
		registry.add("ferry.executed.poll-interval", () -> "50ms");
	}

	@AfterAll
	static void stop() {
		server.close();
	}

	@Test
	void aLargeBatchThroughRateLimitsAndFaultsAnswersEveryLineExactlyOnce() throws Exception {
		List<String> texts = new ArrayList<>();
		for (int i = 0; i < LINES; i++) {
			texts.add((i % 1_000 == 7) ? "FAIL " + i : "line " + i);
		}
		OpenAIClient client = OpenAiClients.ferry(this.port, "vllm");
		String id = OpenAiBatches.create(client, OpenAiBatches.chatLines("llama", texts));
		Batch done = OpenAiBatches.awaitEnd(client, id, Duration.ofMinutes(3));
		assertThat(done.status()).isEqualTo(Batch.Status.COMPLETED);
		assertThat(done.requestCounts().get().total()).isEqualTo(LINES);
		assertThat(done.requestCounts().get().failed()).as("only the requests the server refuses").isEqualTo(10);

		Map<String, Integer> seen = new HashMap<>();
		List<JsonNode> output = OpenAiBatches.lines(client, done.outputFileId().get());
		List<JsonNode> errors = OpenAiBatches.lines(client, done.errorFileId().get());
		output.forEach((line) -> seen.merge(line.path("custom_id").asString(), 1, Integer::sum));
		errors.forEach((line) -> seen.merge(line.path("custom_id").asString(), 1, Integer::sum));
		assertThat(seen).as("every request once in output ∪ error").hasSize(LINES);
		assertThat(seen.values()).allMatch((count) -> count == 1);
		assertThat(errors).hasSize(10)
			.allSatisfy((line) -> assertThat(line.at("/response/status_code").asInt()).isEqualTo(400));
		assertThat(output)
			.allSatisfy((line) -> assertThat(line.at("/response/body/choices/0/message/content").asString())
				.isEqualTo("echo: line " + line.path("custom_id").asString().substring(1)));

		assertThat(upstream.mostInFlight.get()).as("never above max-concurrency").isLessThanOrEqualTo(MAX_CONCURRENCY);
		assertThat(upstream.answered).as("each request answered once").hasSize(LINES);
		assertThat(upstream.answered.values()).allMatch((count) -> count == 1);
		assertThat(upstream.calls.get()).as("lines plus the retries the faults caused")
			.isEqualTo(LINES + upstream.faults.get());
		assertThat(upstream.faults.get()).isGreaterThan(100);
	}

}
