package dev.ferry.provider.executed;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.openai.client.OpenAIClient;
import com.openai.models.batches.Batch;
import io.micrometer.core.instrument.MeterRegistry;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

import dev.ferry.support.GatewayKey;
import dev.ferry.support.MockUpstreams;
import dev.ferry.support.OpenAiBatches;
import dev.ferry.support.OpenAiClients;
import dev.ferry.support.S3Server;
import dev.ferry.support.StandaloneFerry;

import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A batch Ferry runs itself survives losing the replica that runs it: a restart of the
 * only replica resumes from the committed chunks, and of two replicas sharing an S3
 * store, which share the provider's concurrency limit by counting each other's
 * heartbeats, the one left finishes what the stopped one was running. Either way every
 * line is answered exactly once, and the server sees at most one chunk's calls twice (the
 * chunk cut off mid-run).
 */
class ExecutedBatchFailoverIntegrationTests {

	private static final int LINES = 300;

	private static final int CHUNK = 10;

	private final JsonMapper mapper = JsonMapper.builder().build();

	private final ChatUpstream upstream = new ChatUpstream(15, (call) -> false, (call) -> false, (call) -> false);

	private final MockWebServer server = MockUpstreams.started();

	private final List<ConfigurableApplicationContext> replicas = new ArrayList<>();

	private S3Server s3;

	@AfterEach
	void stop() {
		this.replicas.forEach(ConfigurableApplicationContext::close);
		this.server.close();
		if (this.s3 != null) {
			this.s3.close();
		}
	}

	@Test
	void aRestartOfTheOnlyReplicaResumesFromTheCommittedChunks() throws Exception {
		this.server.setDispatcher(this.upstream);
		List<String> storage = List.of("--ferry.storage.path=" + Files.createTempDirectory("ferry-restart"));
		ConfigurableApplicationContext first = replica(storage);
		String id = create(first);
		awaitCompleted(first, id, LINES / 5);
		first.close();
		int callsBefore = this.upstream.calls.get();
		assertThat(callsBefore).as("stopped mid-batch").isLessThan(LINES);

		ConfigurableApplicationContext second = replica(storage);
		assertEveryLineOnce(second, id);
	}

	@Test
	void ofTwoReplicasOnOneStoreTheOneLeftFinishesTheBatch() throws Exception {
		this.server.setDispatcher(this.upstream);
		this.s3 = S3Server.start("ferry-executed");
		List<String> storage = this.s3.ferryArguments("ferry-executed", "ferry/");
		ConfigurableApplicationContext a = replica(storage);
		ConfigurableApplicationContext b = replica(storage);
		awaitReplicasCounted(a, 2);
		awaitReplicasCounted(b, 2);
		String id = create(a);
		awaitCompleted(b, id, LINES / 4);
		assertThat(this.upstream.mostInFlight.get()).as("max-concurrency 2 is shared by the two replicas")
			.isLessThanOrEqualTo(2);
		a.close();
		assertEveryLineOnce(b, id);
	}

	private void assertEveryLineOnce(ConfigurableApplicationContext replica, String id) throws Exception {
		OpenAIClient client = OpenAiClients.ferry(port(replica), "vllm");
		Batch done = OpenAiBatches.awaitEnd(client, id, Duration.ofSeconds(90));
		assertThat(done.status()).isEqualTo(Batch.Status.COMPLETED);
		assertThat(done.requestCounts().get().completed()).isEqualTo(LINES);
		Map<String, Integer> seen = new HashMap<>();
		try (var content = client.files().content(done.outputFileId().get())) {
			new String(content.body().readAllBytes(), StandardCharsets.UTF_8).lines()
				.filter((line) -> !line.isBlank())
				.forEach(
						(line) -> seen.merge(this.mapper.readTree(line).path("custom_id").asString(), 1, Integer::sum));
		}
		assertThat(seen).as("every line once").hasSize(LINES);
		assertThat(seen.values()).allMatch((count) -> count == 1);
		assertThat(this.upstream.answered).hasSize(LINES);
		assertThat(this.upstream.calls.get()).as("at most the chunks cut off are sent again")
			.isLessThanOrEqualTo(LINES + 2 * CHUNK);
	}

	/** Waits until a replica's runner has counted the replicas alive, from heartbeats. */
	private static void awaitReplicasCounted(ConfigurableApplicationContext replica, int alive)
			throws InterruptedException {
		MeterRegistry meters = replica.getBean(MeterRegistry.class);
		long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
		while (meters.get("ferry.executed.replicas").tag("provider", "vllm").gauge().value() != alive) {
			assertThat(System.nanoTime()).as("replicas counted").isLessThan(deadline);
			Thread.sleep(20);
		}
	}

	private String create(ConfigurableApplicationContext replica) {
		List<String> texts = new ArrayList<>();
		for (int i = 0; i < LINES; i++) {
			texts.add("line " + i);
		}
		return OpenAiBatches.create(OpenAiClients.ferry(port(replica), "vllm"),
				OpenAiBatches.chatLines("llama", texts));
	}

	private void awaitCompleted(ConfigurableApplicationContext replica, String id, int lines)
			throws InterruptedException {
		OpenAIClient client = OpenAiClients.ferry(port(replica), "vllm");
		long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
		while (System.nanoTime() < deadline) {
			if (client.batches().retrieve(id).requestCounts().get().completed() >= lines) {
				return;
			}
			Thread.sleep(20);
		}
		throw new AssertionError("batch " + id + " did not reach " + lines + " lines");
	}

	private ConfigurableApplicationContext replica(List<String> storage) {
		List<String> arguments = new ArrayList<>(
				List.of("--server.port=0", "--ferry.providers.vllm.base-url=" + this.server.url("/v1"),
						"--ferry.providers.vllm.max-concurrency=2", "--ferry.executed.chunk-size=" + CHUNK,
						"--ferry.executed.poll-interval=50ms", "--ferry.executed.lease-duration=1s"));
		arguments.addAll(storage);
		ConfigurableApplicationContext replica = StandaloneFerry
			.start(GatewayKey.arguments(arguments.toArray(String[]::new)));
		this.replicas.add(replica);
		return replica;
	}

	private static int port(ConfigurableApplicationContext replica) {
		return ((WebServerApplicationContext) replica).getWebServer().getPort();
	}

}
