package dev.ferry.provider.executed;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import com.openai.client.OpenAIClient;
import com.openai.models.batches.Batch;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

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
 * The limits an executed provider keeps, seen from its server:
 * {@code requests-per-minute} spaces the calls; {@code tokens-per-minute} holds back
 * calls the bucket cannot pay for, and the usage answers report gives back what their
 * estimates overbooked; and a small batch created while a large one runs is not made to
 * wait for it.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class ExecutedBatchLimitsIntegrationTests {

	private static final long MILLIS = Duration.ofMillis(1).toNanos();

	static final ChatUpstream paced = new ChatUpstream(0, (call) -> false, (call) -> false, (call) -> false);

	static final ChatUpstream metered = new ChatUpstream(300, (call) -> false, (call) -> false, (call) -> false);

	static final ChatUpstream shared = new ChatUpstream(30, (call) -> false, (call) -> false, (call) -> false);

	static final List<MockWebServer> servers = List.of(MockUpstreams.started(), MockUpstreams.started(),
			MockUpstreams.started());

	@LocalServerPort
	int port;

	@DynamicPropertySource
	static void providers(DynamicPropertyRegistry registry) throws Exception {
		GatewayKey.register(registry);
		String storage = java.nio.file.Files.createTempDirectory("ferry-limits").toString();
		registry.add("ferry.storage.path", () -> storage);
		registry.add("ferry.executed.chunk-size", () -> 10);
		registry.add("ferry.executed.poll-interval", () -> "50ms");
		provider(registry, "paced", paced, servers.get(0));
		registry.add("ferry.providers.paced.requests-per-minute", () -> 600);
		provider(registry, "metered", metered, servers.get(1));
		registry.add("ferry.providers.metered.tokens-per-minute", () -> 3_000);
		provider(registry, "shared", shared, servers.get(2));
		registry.add("ferry.providers.shared.max-concurrency", () -> 2);
	}

	private static void provider(DynamicPropertyRegistry registry, String name, ChatUpstream upstream,
			MockWebServer server) {
		server.setDispatcher(upstream);
		registry.add("ferry.providers." + name + ".type", () -> "vllm");
		registry.add("ferry.providers." + name + ".base-url", () -> server.url("/v1").toString());
	}

	@AfterAll
	static void stop() {
		servers.forEach(MockWebServer::close);
	}

	@Test
	void requestsPerMinuteSpaceTheCalls() throws Exception {
		OpenAIClient client = OpenAiClients.ferry(this.port, "paced");
		String id = OpenAiBatches.create(client, OpenAiBatches.chatLines("llama", texts("p", 25, "")));
		Batch done = OpenAiBatches.awaitEnd(client, id, Duration.ofSeconds(30));
		assertThat(done.requestCounts().get().completed()).isEqualTo(25);
		List<Long> arrivals = arrivals(paced);
		assertThat(arrivals).hasSize(25);
		// 600 a minute is one every 100 ms: any eleven calls span a second, less jitter.
		for (int i = 0; i + 10 < arrivals.size(); i++) {
			assertThat(arrivals.get(i + 10) - arrivals.get(i)).as("calls %d to %d", i, i + 10)
				.isGreaterThanOrEqualTo(800 * MILLIS);
		}
	}

	@Test
	void tokensPerMinuteHoldCallsBackUntilUsageGivesTokensBack() throws Exception {
		OpenAIClient client = OpenAiClients.ferry(this.port, "metered");
		// Each request is estimated at about 1,016 tokens (4,000 characters and
		// max_tokens 16); the bucket holds 3,000 and refills 50 a second, so a third
		// call waits. Each answer reports 12 tokens, giving back about 1,000: without
		// that the twelve would take over three minutes.
		String id = OpenAiBatches.create(client, OpenAiBatches.chatLines("llama", texts("t", 12, "x".repeat(4_000))));
		Batch done = OpenAiBatches.awaitEnd(client, id, Duration.ofSeconds(60));
		assertThat(done.requestCounts().get().completed()).isEqualTo(12);
		List<Long> arrivals = arrivals(metered);
		// The bucket holds the first two at once; the third would wait 20 s for a refill.
		assertThat(arrivals.get(1) - arrivals.get(0)).as("the first two are paid for at once")
			.isLessThan(1_000 * MILLIS);
		assertThat(arrivals.get(2) - arrivals.get(0)).as("the third waits for tokens")
			.isGreaterThanOrEqualTo(200 * MILLIS);
	}

	@Test
	void aSmallBatchIsNotStarvedByALargeOne() throws Exception {
		OpenAIClient client = OpenAiClients.ferry(this.port, "shared");
		String large = OpenAiBatches.create(client, OpenAiBatches.chatLines("llama", texts("large", 400, "")));
		long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
		while (client.batches().retrieve(large).requestCounts().get().completed() < 20) {
			assertThat(System.nanoTime()).as("the large batch starts").isLessThan(deadline);
			Thread.sleep(20);
		}
		String small = OpenAiBatches.create(client, OpenAiBatches.chatLines("llama", texts("small", 10, "")));
		Batch smallDone = OpenAiBatches.awaitEnd(client, small, Duration.ofSeconds(30));
		Batch largeNow = client.batches().retrieve(large);
		assertThat(smallDone.status()).isEqualTo(Batch.Status.COMPLETED);
		assertThat(largeNow.status()).as("the large batch is still running when the small one has ended")
			.isEqualTo(Batch.Status.IN_PROGRESS);
		assertThat(largeNow.requestCounts().get().completed()).isLessThan(400);
		assertThat(OpenAiBatches.awaitEnd(client, large, Duration.ofSeconds(60)).requestCounts().get().completed())
			.isEqualTo(400);
	}

	private static List<String> texts(String prefix, int count, String padding) {
		List<String> texts = new ArrayList<>();
		for (int i = 0; i < count; i++) {
			texts.add(prefix + " " + i + padding);
		}
		return texts;
	}

	private static List<Long> arrivals(ChatUpstream upstream) {
		return upstream.received.stream().map(ChatUpstream.Call::arrivedNanos).sorted().toList();
	}

}
