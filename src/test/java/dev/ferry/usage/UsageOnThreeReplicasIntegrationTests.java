package dev.ferry.usage;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import com.openai.client.OpenAIClient;
import com.openai.models.batches.Batch;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import dev.ferry.support.OpenAiBatches;
import dev.ferry.support.OpenAiClients;
import dev.ferry.support.StandaloneFerry;

import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * Three replicas on one store, all polling the same batch as it ends: its usage is
 * recorded once (one record, one replica's meters), its figures are the sums of its
 * result lines' usage, its cost comes from the price table less the batch discount, and
 * {@code GET /v1/usage} on any replica adds it up by team, provider and model.
 */
class UsageOnThreeReplicasIntegrationTests {

	static final String ALICE = "ferry-alice-research-usage-01";

	static final String BOB = "ferry-bob-ops-usage-000000002";

	static Path storage;

	static final List<ConfigurableApplicationContext> replicas = new ArrayList<>();

	private final JsonMapper mapper = JsonMapper.builder().build();

	@BeforeAll
	static void start() throws Exception {
		storage = Files.createTempDirectory("ferry-usage");
		for (int i = 0; i < 3; i++) {
			replicas.add(StandaloneFerry.start("--server.port=0", "--ferry.storage.path=" + storage,
					"--ferry.auth.keys[0].name=alice", "--ferry.auth.keys[0].key=" + ALICE,
					"--ferry.auth.keys[0].team=research", "--ferry.auth.keys[1].name=bob",
					"--ferry.auth.keys[1].key=" + BOB, "--ferry.auth.keys[1].team=ops",
					"--ferry.providers.sandbox.processing-time=300ms",
					"--ferry.providers.sandbox.status-cache.running-ttl=0s",
					"--ferry.providers.sandbox.status-cache.ended-ttl=0s",
					"--ferry.pricing.sandbox.echo-1.input-per-mtok=2.5",
					"--ferry.pricing.sandbox.echo-1.output-per-mtok=10",
					"--ferry.pricing.sandbox.echo-1.batch-discount-percent=50", "--ferry.usage.enabled=true"));
		}
	}

	@AfterAll
	static void stop() {
		replicas.forEach(ConfigurableApplicationContext::close);
	}

	@Test
	void anEndedBatchPolledByThreeReplicasIsRecordedOnceWithTheSumsOfItsLines() throws Exception {
		OpenAIClient first = OpenAiClients.ferry(port(0), "sandbox", ALICE);
		String id = OpenAiBatches.create(first,
				OpenAiBatches.chatLines("echo-1", List.of("one", "two words", "three words here")));
		List<CompletableFuture<Void>> pollers = new ArrayList<>();
		for (int i = 0; i < 3; i++) {
			OpenAIClient client = OpenAiClients.ferry(port(i), "sandbox", ALICE);
			pollers.add(CompletableFuture.runAsync(() -> {
				try {
					OpenAiBatches.awaitEnd(client, id, Duration.ofSeconds(20));
					for (int poll = 0; poll < 5; poll++) {
						client.batches().retrieve(id);
					}
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
				}
			}));
		}
		CompletableFuture.allOf(pollers.toArray(CompletableFuture[]::new)).join();

		Batch done = first.batches().retrieve(id);
		long input = 0;
		long output = 0;
		for (JsonNode line : OpenAiBatches.lines(first, done.outputFileId().get())) {
			input += line.at("/response/body/usage/prompt_tokens").asLong();
			output += line.at("/response/body/usage/completion_tokens").asLong();
		}
		assertThat(input).isPositive();
		assertThat(output).isPositive();

		JsonNode row = awaitUsage(1, ALICE);
		assertThat(row.path("team").asString()).isEqualTo("research");
		assertThat(row.path("provider").asString()).isEqualTo("sandbox");
		assertThat(row.path("model").asString()).isEqualTo("echo-1");
		assertThat(row.path("batches").asLong()).isEqualTo(1);
		assertThat(row.path("requests").asLong()).isEqualTo(3);
		assertThat(row.path("input_tokens").asLong()).isEqualTo(input);
		assertThat(row.path("output_tokens").asLong()).isEqualTo(output);
		assertThat(row.path("cost_usd").asDouble()).isCloseTo((input * 2.5 + output * 10) / 1_000_000 * 0.5,
				within(1e-12));

		// One record, and one replica's meters: exactly once.
		Path day = storage.resolve("usage/days/" + LocalDate.now(ZoneOffset.UTC));
		try (var records = Files.list(day)) {
			assertThat(records.count()).isEqualTo(1);
		}
		List<Double> counted = replicas.stream()
			.map((replica) -> replica.getBean(MeterRegistry.class)
				.find("ferry.batch.requests")
				.counters()
				.stream()
				.mapToDouble(Counter::count)
				.sum())
			.toList();
		assertThat(counted).containsExactlyInAnyOrder(3.0, 0.0, 0.0);
		double tokens = replicas.stream()
			.mapToDouble((replica) -> replica.getBean(MeterRegistry.class)
				.find("ferry.batch.tokens")
				.tag("type", "output")
				.tag("team", "research")
				.counters()
				.stream()
				.mapToDouble(Counter::count)
				.sum())
			.sum();
		assertThat(tokens).isEqualTo(output);
		String scrape = prometheus(counted.indexOf(3.0));
		assertThat(scrape).contains(
				"ferry_batch_requests_total{model=\"echo-1\",provider=\"sandbox\",team=\"research\"} 3.0",
				"ferry_batch_tokens_total{model=\"echo-1\",provider=\"sandbox\",team=\"research\",type=\"output\"} "
						+ (double) output,
				"ferry_batch_cost_usd_total{model=\"echo-1\",provider=\"sandbox\",team=\"research\"}");

		// Another team sees none of it; the figures read the same on every replica.
		assertThat(usage(2, BOB).path("data")).isEmpty();
		assertThat(usage(0, ALICE).path("data").get(0)).isEqualTo(row);
		assertThat(usage(1, ALICE, "&group_by=key,day").at("/data/0/key").asString()).isEqualTo("alice");
	}

	private JsonNode awaitUsage(int replica, String key) throws InterruptedException {
		long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
		while (System.nanoTime() < deadline) {
			JsonNode data = usage(replica, key).path("data");
			if (!data.isEmpty()) {
				return data.get(0);
			}
			Thread.sleep(100);
		}
		throw new AssertionError("no usage recorded");
	}

	private JsonNode usage(int replica, String key) {
		return usage(replica, key, "");
	}

	private JsonNode usage(int replica, String key, String query) {
		byte[] body = WebTestClient.bindToServer()
			.baseUrl("http://localhost:" + port(replica))
			.build()
			.get()
			.uri("/v1/usage?provider=sandbox" + query)
			.header("Authorization", "Bearer " + key)
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody()
			.returnResult()
			.getResponseBodyContent();
		return this.mapper.readTree(body);
	}

	private static String prometheus(int replica) {
		return WebTestClient.bindToServer()
			.baseUrl("http://localhost:" + port(replica))
			.build()
			.get()
			.uri("/actuator/prometheus")
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody(String.class)
			.returnResult()
			.getResponseBody();
	}

	private static int port(int replica) {
		return ((WebServerApplicationContext) replicas.get(replica)).getWebServer().getPort();
	}

}
