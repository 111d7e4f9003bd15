package dev.ferry.provider.executed;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;

import com.openai.client.OpenAIClient;
import com.openai.models.batches.Batch;
import io.micrometer.core.instrument.MeterRegistry;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import dev.ferry.support.GatewayKey;
import dev.ferry.support.MockUpstreams;
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

	private final JsonMapper mapper = JsonMapper.builder().build();

	@LocalServerPort
	int port;

	@Autowired
	MovableClock clock;

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
		Batch done = awaitEnd(client, id);
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
		Batch done = awaitEnd(client, id);
		assertThat(done.status()).isEqualTo(Batch.Status.EXPIRED);
		assertAccountedFor(client, done, "batch_expired");
	}

	private void assertAccountedFor(OpenAIClient client, Batch done, String code) throws Exception {
		long ran = done.requestCounts().get().completed();
		assertThat(ran).isBetween(20L, (long) LINES - 1);
		assertThat(ran + done.requestCounts().get().failed()).isEqualTo(LINES);
		List<JsonNode> errors = lines(client, done.errorFileId().get());
		assertThat(errors).hasSize(LINES - (int) ran)
			.allSatisfy((line) -> assertThat(line.at("/error/code").asString()).isEqualTo(code));
		assertThat(lines(client, done.outputFileId().get())).hasSize((int) ran);
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

	private Batch awaitEnd(OpenAIClient client, String id) throws InterruptedException {
		long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
		while (System.nanoTime() < deadline) {
			Batch batch = client.batches().retrieve(id);
			if (Set.of("completed", "failed", "expired", "cancelled").contains(batch.status().asString())) {
				return batch;
			}
			Thread.sleep(50);
		}
		throw new AssertionError("batch " + id + " did not end");
	}

	private List<JsonNode> lines(OpenAIClient client, String fileId) throws Exception {
		try (var content = client.files().content(fileId)) {
			return new String(content.body().readAllBytes(), StandardCharsets.UTF_8).lines()
				.filter((line) -> !line.isBlank())
				.map(this.mapper::readTree)
				.toList();
		}
	}

	@TestConfiguration(proxyBeanMethods = false)
	static class Clocks {

		@Bean
		MovableClock clock() {
			return new MovableClock();
		}

	}

	/** The system clock, moved on by the test. */
	static final class MovableClock extends Clock {

		private final AtomicReference<Duration> offset = new AtomicReference<>(Duration.ZERO);

		void advance(Duration by) {
			this.offset.accumulateAndGet(by, Duration::plus);
		}

		@Override
		public ZoneId getZone() {
			return ZoneOffset.UTC;
		}

		@Override
		public Clock withZone(ZoneId zone) {
			return this;
		}

		@Override
		public Instant instant() {
			return Instant.now().plus(this.offset.get());
		}

	}

}
