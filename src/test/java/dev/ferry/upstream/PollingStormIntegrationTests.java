package dev.ferry.upstream;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;

import dev.ferry.support.GatewayKey;
import dev.ferry.support.MockUpstreams;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.client.reactive.ReactorClientHttpConnector;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.web.reactive.function.client.WebClient;

import static dev.ferry.support.OpenAiJson.batchJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Many clients polling one batch: Ferry answers them all from one upstream call, keeps an
 * ended batch, and never serves one caller's view to a caller with other credentials.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class PollingStormIntegrationTests {

	static final MockWebServer upstream = MockUpstreams.started();

	static final CountingUpstream calls = new CountingUpstream();

	@LocalServerPort
	int port;

	@DynamicPropertySource
	static void properties(DynamicPropertyRegistry registry) throws IOException {
		upstream.setDispatcher(calls);
		// The storm runs on a provider with the default running TTL (1s); the TTL test
		// on one with a short TTL, to keep its waits short. With 300ms, a storm that a
		// loaded two-core machine needs a few seconds to serve made more calls than it
		// shares, by the clock alone.
		MockUpstreams.pointAt(registry, upstream, List.of("openai", "storm"), false);
		registry.add("ferry.providers.openai.status-cache.running-ttl", () -> "300ms");
	}

	@BeforeEach
	void reset() {
		calls.retrieves.clear();
	}

	@Test
	void aThousandConcurrentRetrievesOfOneBatchMakeAHandfulOfUpstreamCalls() {
		calls.status.put("batch_storm", "in_progress");
		ConnectionProvider pool = ConnectionProvider.builder("storm")
			.maxConnections(1000)
			.pendingAcquireMaxCount(-1)
			.build();
		WebClient client = WebClient.builder()
			.baseUrl("http://localhost:" + this.port)
			.clientConnector(new ReactorClientHttpConnector(HttpClient.create(pool)))
			.defaultHeader("Authorization", GatewayKey.BEARER)
			.build();
		try {
			List<String> bodies = Flux.range(0, 1000)
				.flatMap((i) -> client.get()
					.uri("/openai/v1/batches/batch_storm")
					.header("x-model-provider", "storm")
					.retrieve()
					.bodyToMono(String.class), 1000)
				.collectList()
				.block(Duration.ofSeconds(60));
			assertThat(bodies).hasSize(1000).allSatisfy((body) -> assertThat(body).contains("\"id\":\"batch_storm\""));
			assertThat(calls.count("batch_storm")).as("upstream retrieves for 1,000 client retrieves").isBetween(1, 5);
		}
		finally {
			pool.dispose();
		}
	}

	@Test
	void anEndedBatchIsKeptWhileARunningOneIsFetchedAgainAfterItsTtl() throws Exception {
		calls.status.put("batch_done", "completed");
		calls.status.put("batch_running", "in_progress");
		for (int round = 0; round < 2; round++) {
			assertThat(retrieve("batch_done", GatewayKey.BEARER)).contains("\"status\":\"completed\"");
			assertThat(retrieve("batch_running", GatewayKey.BEARER)).contains("\"status\":\"in_progress\"");
			TimeUnit.MILLISECONDS.sleep(400);
		}
		assertThat(calls.count("batch_done")).isEqualTo(1);
		assertThat(calls.count("batch_running")).isEqualTo(2);
	}

	@Test
	void callersWithTheirOwnKeysNeverShareACachedView() {
		calls.status.put("batch_private", "completed");
		assertThat(retrieve("batch_private", "Bearer sk-alice")).contains("batch_private");
		assertThat(retrieve("batch_private", "Bearer sk-bob")).contains("batch_private");
		assertThat(retrieve("batch_private", "Bearer sk-alice")).contains("batch_private");
		assertThat(calls.count("batch_private")).as("one upstream call per credential").isEqualTo(2);
	}

	@Test
	void aCancelDropsTheCachedBatch() {
		calls.status.put("batch_cancel", "completed");
		retrieve("batch_cancel", GatewayKey.BEARER);
		calls.status.put("batch_cancel", "cancelling");
		WebClient.create("http://localhost:" + this.port)
			.post()
			.uri("/openai/v1/batches/batch_cancel/cancel")
			.header("Authorization", GatewayKey.BEARER)
			.retrieve()
			.toBodilessEntity()
			.block(Duration.ofSeconds(10));
		assertThat(retrieve("batch_cancel", GatewayKey.BEARER)).contains("\"status\":\"cancelling\"");
		assertThat(calls.count("batch_cancel")).isEqualTo(2);
	}

	private String retrieve(String id, String authorization) {
		return WebClient.create("http://localhost:" + this.port)
			.get()
			.uri("/openai/v1/batches/{id}", id)
			.header("Authorization", authorization)
			.retrieve()
			.bodyToMono(String.class)
			.block(Duration.ofSeconds(10));
	}

	/**
	 * Answers batch retrieves a little slowly, as a real upstream does, counting them.
	 */
	static final class CountingUpstream extends Dispatcher {

		final Map<String, String> status = new ConcurrentHashMap<>();

		final Map<String, AtomicInteger> retrieves = new ConcurrentHashMap<>();

		int count(String id) {
			AtomicInteger count = this.retrieves.get(id);
			return (count != null) ? count.get() : 0;
		}

		@Override
		public MockResponse dispatch(RecordedRequest request) throws InterruptedException {
			String path = request.getTarget();
			String id = path.replaceFirst("^/v1/batches/", "").replaceFirst("/cancel$", "");
			if (request.getMethod().equals("GET")) {
				this.retrieves.computeIfAbsent(id, (key) -> new AtomicInteger()).incrementAndGet();
				TimeUnit.MILLISECONDS.sleep(200);
			}
			return new MockResponse.Builder().code(200)
				.addHeader("Content-Type", "application/json")
				.body(batchJson(id, this.status.getOrDefault(id, "in_progress")))
				.build();
		}

	}

}
