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

import dev.ferry.batch.FerryIds;
import dev.ferry.batch.ProviderRegistry;
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
 * what never ran. Every line is accounted for either way. A batch whose input file is
 * deleted before it has run ends {@code failed}; one whose chunks are all committed is
 * {@code finalizing} until a runner closes it.
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

	@Autowired
	ChunkRunner runner;

	@Autowired
	ProviderRegistry providers;

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
		Batch running = client.batches().retrieve(id);
		assertThat(running.status()).isEqualTo(Batch.Status.IN_PROGRESS);
		assertThat(OpenAiBatches.lines(client, running.outputFileId().get()))
			.as("the output holds the chunks committed so far while the batch runs")
			.hasSizeGreaterThanOrEqualTo(20)
			.extracting((line) -> line.path("custom_id").asString())
			.doesNotHaveDuplicates();
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

	@Test
	void aBatchWhoseInputFileIsDeletedMidRunEndsFailedSayingWhy() throws Exception {
		OpenAIClient client = OpenAiClients.ferry(this.port, "vllm");
		String id = create(client, "f");
		awaitCompleted(client, id, 20);
		client.files().delete(client.batches().retrieve(id).inputFileId());
		Batch done = OpenAiBatches.awaitEnd(client, id, Duration.ofSeconds(30));
		assertThat(done.status()).isEqualTo(Batch.Status.FAILED);
		assertThat(done.failedAt()).isPresent();
		var error = done.errors().get().data().get().get(0);
		assertThat(error.code()).contains("input_file_missing");
		assertThat(error.param()).contains("input_file_id");
		long ran = done.requestCounts().get().completed();
		assertThat(ran).isBetween(20L, (long) LINES - 10);
		assertThat(OpenAiBatches.lines(client, done.outputFileId().get())).as("what ran is kept").hasSize((int) ran);
		assertThat(client.batches().retrieve(id).requestCounts().get().completed())
			.as("a failed batch's counts no longer change")
			.isEqualTo(ran);
	}

	@Test
	void aBatchIsFinalizingFromItsLastCommitUntilARunnerClosesIt() throws Exception {
		OpenAIClient client = OpenAiClients.ferry(this.port, "vllm");
		ExecutedProvider vllm = (ExecutedProvider) this.providers.get("vllm");
		this.runner.stop();
		String id;
		try {
			id = OpenAiBatches.create(client, OpenAiBatches.chatLines("llama", List.of("one", "two", "three")));
			assertThat(client.batches().retrieve(id).status()).isEqualTo(Batch.Status.VALIDATING);
			String nativeId = FerryIds.decode("batch_", id).orElseThrow().nativeId();
			String line = "{\"id\":\"batch_req_q%d\",\"custom_id\":\"q%d\",\"response\":{\"status_code\":200,"
					+ "\"request_id\":\"r\",\"body\":{\"id\":\"r\"}},\"error\":null}\n";
			String lines = String.format(line, 0, 0) + String.format(line, 1, 1) + String.format(line, 2, 2);
			vllm.store()
				.commit("vllm", nativeId, 0, lines.getBytes(java.nio.charset.StandardCharsets.UTF_8),
						new ExecutedStore.Counts(3, 0, 0, 0))
				.block();
			Batch finalizing = client.batches().retrieve(id);
			assertThat(finalizing.status()).isEqualTo(Batch.Status.FINALIZING);
			assertThat(finalizing.requestCounts().get().completed()).isEqualTo(3);
			assertThat(OpenAiBatches.lines(client, finalizing.outputFileId().get())).hasSize(3);
		}
		finally {
			this.runner.start();
		}
		Batch done = OpenAiBatches.awaitEnd(client, id, Duration.ofSeconds(30));
		assertThat(done.status()).isEqualTo(Batch.Status.COMPLETED);
		assertThat(done.finalizingAt()).isPresent();
		assertThat(OpenAiBatches.lines(client, done.outputFileId().get()))
			.extracting((node) -> node.path("custom_id").asString())
			.containsExactly("q0", "q1", "q2");
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
