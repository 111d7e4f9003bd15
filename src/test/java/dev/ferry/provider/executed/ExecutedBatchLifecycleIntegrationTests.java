package dev.ferry.provider.executed;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import com.openai.client.OpenAIClient;
import com.openai.models.batches.Batch;
import io.micrometer.core.instrument.MeterRegistry;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import dev.ferry.support.GatewayKey;
import dev.ferry.support.MockUpstreams;
import dev.ferry.support.MutableClock;
import dev.ferry.support.OpenAiBatches;
import dev.ferry.support.OpenAiClients;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A cancel stops dispatching within a poll interval: lines in flight finish, the rest
 * become {@code batch_cancelled} lines. A batch past its completion window (here by
 * moving the wall clock on) ends {@code expired}, with {@code batch_expired} lines for
 * what never ran. Every line is accounted for either way.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class ExecutedBatchLifecycleIntegrationTests {

	private static final int LINES = 200;

	static final ChatUpstream upstream = new ChatUpstream(20, (call) -> false, (call) -> false, (call) -> false);

	static final MockWebServer server = MockUpstreams.started();

	@LocalServerPort
	int port;

	@Autowired
	MutableClock clock;

	@Autowired
	MeterRegistry meters;

	@DynamicPropertySource
	static void providers(DynamicPropertyRegistry registry) throws Exception {
		server.setDispatcher(upstream);
		GatewayKey.register(registry);
		String storage = java.nio.file.Files.createTempDirectory("ferry-lifecycle").toString();
		registry.add("ferry.storage.path", () -> storage);
		registry.add("ferry.providers.vllm.base-url", () -> server.url("/v1").toString());
		registry.add("ferry.providers.vllm.max-concurrency", () -> 1);
		registry.add("ferry.executed.chunk-size", () -> 10);
		registry.add("ferry.executed.poll-interval", () -> "50ms");
	}

	@AfterAll
	static void stop() {
		server.close();
	}

	@Test
	void aCancelStopsDispatchingAndTheRestBecomeCancelledLines() throws Exception {
		OpenAIClient client = OpenAiClients.ferry(this.port, "vllm");
		String id = create(client, "c");
		awaitCompleted(client, id, 20);
		int callsAtCancel = upstream.calls.get();
		assertThat(client.batches().cancel(id).status().asString()).isIn("cancelling", "cancelled");
		Batch done = OpenAiBatches.awaitEnd(client, id, Duration.ofSeconds(30));
		assertThat(done.status()).isEqualTo(Batch.Status.CANCELLED);
		assertThat(upstream.calls.get() - callsAtCancel).as("calls after the cancel: those in flight and a poll's")
			.isLessThanOrEqualTo(10);
		assertAccountedFor(client, done, "batch_cancelled");
		assertThat(this.meters.get("ferry.executed.lines")
			.tags("provider", "vllm", "outcome", "succeeded")
			.counter()
			.count()).as("lines answered, metered").isGreaterThanOrEqualTo(done.requestCounts().get().completed());
		assertThat(this.meters.get("ferry.executed.upstream").tag("provider", "vllm").timer().count())
			.isGreaterThanOrEqualTo(done.requestCounts().get().completed());
		assertThat(this.meters.get("ferry.executed.in_flight").tag("provider", "vllm").gauge().value()).isZero();
	}

	@Test
	void aBatchPastItsWindowEndsExpired() throws Exception {
		OpenAIClient client = OpenAiClients.ferry(this.port, "vllm");
		String id = create(client, "e");
		awaitCompleted(client, id, 20);
		this.clock.advance(Duration.ofHours(25));
		Batch done = OpenAiBatches.awaitEnd(client, id, Duration.ofSeconds(30));
		assertThat(done.status()).isEqualTo(Batch.Status.EXPIRED);
		assertAccountedFor(client, done, "batch_expired");
	}

	private void assertAccountedFor(OpenAIClient client, Batch done, String code) throws Exception {
		long ran = done.requestCounts().get().completed();
		assertThat(ran).isBetween(20L, (long) LINES - 1);
		assertThat(ran + done.requestCounts().get().failed()).isEqualTo(LINES);
		List<JsonNode> errors = OpenAiBatches.lines(client, done.errorFileId().get());
		assertThat(errors).hasSize(LINES - (int) ran)
			.allSatisfy((line) -> assertThat(line.at("/error/code").asString()).isEqualTo(code));
		assertThat(OpenAiBatches.lines(client, done.outputFileId().get())).hasSize((int) ran);
	}

	private String create(OpenAIClient client, String prefix) {
		List<String> texts = new ArrayList<>();
		for (int i = 0; i < LINES; i++) {
			texts.add(prefix + " line " + i);
		}
		return OpenAiBatches.create(client, OpenAiBatches.chatLines("llama", texts));
	}

	private void awaitCompleted(OpenAIClient client, String id, int lines) throws InterruptedException {
		long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
		while (System.nanoTime() < deadline) {
			if (client.batches().retrieve(id).requestCounts().get().completed() >= lines) {
				return;
			}
			Thread.sleep(10);
		}
		throw new AssertionError("batch " + id + " did not reach " + lines + " lines");
	}

	@TestConfiguration(proxyBeanMethods = false)
	static class Clocks {

		@Bean
		MutableClock clock() {
			return new MutableClock();
		}

	}

}
