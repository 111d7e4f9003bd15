package dev.ferry.dialect.unified;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import io.micrometer.core.instrument.MeterRegistry;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import dev.ferry.support.GatewayKey;
import dev.ferry.support.MockUpstreams;
import dev.ferry.support.ResultsUpstream;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.http.MediaType;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code GET /v1/batches/{id}/results} over an OpenAI upstream played by MockWebServer,
 * whose results files are generated as they are sent and count their downloads.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@AutoConfigureWebTestClient(timeout = "60s")
class UnifiedResultsIntegrationTests {

	static final ResultsUpstream results = new ResultsUpstream().completed("batch_l1", 300, 17, 400)
		.completed("batch_l7", 1500, 41, 1000)
		.completed("batch_l1000", 4000, 123, 1000)
		.completed("batch_nd", 900, 9, 300)
		.completed("batch_cur_a", 30, 0, 300)
		.completed("batch_cur_b", 30, 0, 300)
		.completed("batch_byo", 30, 0, 300)
		.dropping("batch_drop", 1000)
		.slow("batch_slow", 5000, 200_000)
		.withoutFiles("batch_running", "in_progress")
		.withoutFiles("batch_failed", "failed")
		.withoutFiles("batch_cancelled_early", "cancelled")
		.expiredFiles("batch_expired");

	static final MockWebServer upstream = MockUpstreams.started();

	private final JsonMapper mapper = JsonMapper.builder().build();

	@Autowired
	WebTestClient web;

	@Autowired
	MeterRegistry meters;

	@BeforeEach
	void presentTheGatewayKey() {
		this.web = GatewayKey.presentedBy(this.web);
	}

	@DynamicPropertySource
	static void upstreamProperties(DynamicPropertyRegistry registry) throws IOException {
		GatewayKey.register(registry);
		upstream.setDispatcher(results);
		registry.add("ferry.providers.openai.base-url", () -> upstream.url("/v1").toString());
		registry.add("ferry.providers.openai.api-key", () -> "sk-upstream");
		registry.add("ferry.results.spool.idle-timeout", () -> "5s");
		registry.add("ferry.providers.byo.type", () -> "openai");
		registry.add("ferry.providers.byo.base-url", () -> upstream.url("/v1").toString());
		Path storage = Files.createTempDirectory("ferry-results-it");
		registry.add("ferry.storage.path", storage::toString);
	}

	@AfterAll
	static void stopUpstream() {
		upstream.close();
	}

	@ParameterizedTest
	@ValueSource(ints = { 1, 7, 1000 })
	void aFullTraversalReturnsEveryResultOnceAndDownloadsOnce(int limit) {
		String batch = "batch_l" + limit;
		int succeeded = switch (limit) {
			case 1 -> 300;
			case 7 -> 1500;
			default -> 4000;
		};
		int failed = switch (limit) {
			case 1 -> 17;
			case 7 -> 41;
			default -> 123;
		};
		List<JsonNode> items = traverse(batch, limit);

		List<String> ids = items.stream().map((item) -> item.path("custom_id").asString()).toList();
		assertThat(new HashSet<>(ids)).hasSize(ids.size()).isEqualTo(expectedIds(succeeded, failed));
		JsonNode ok = items.get(0);
		assertThat(ok.path("response").path("status_code").asInt()).isEqualTo(200);
		assertThat(ok.has("error")).isFalse();
		JsonNode bad = items.stream()
			.filter((item) -> item.path("custom_id").asString().startsWith("bad-"))
			.findFirst()
			.orElseThrow();
		assertThat(bad.path("response").path("status_code").asInt()).isEqualTo(400);
		assertThat(bad.path("error").path("code").asString()).isEqualTo("invalid_value");
		assertThat(bad.path("error").path("message").asString()).startsWith("bad request ");
		assertThat(results.outputDownloads(batch)).isEqualTo(1);
	}

	@Test
	void ndjsonStreamsEveryItemInOneResponse() {
		String body = this.web.get()
			.uri("/v1/batches/batch_nd/results?provider=openai")
			.accept(MediaType.APPLICATION_NDJSON)
			.exchange()
			.expectStatus()
			.isOk()
			.expectHeader()
			.contentTypeCompatibleWith(MediaType.APPLICATION_NDJSON)
			.expectBody(String.class)
			.returnResult()
			.getResponseBody();
		List<String> ids = body.lines().map((line) -> this.mapper.readTree(line).path("custom_id").asString()).toList();
		assertThat(new HashSet<>(ids)).hasSize(909).isEqualTo(expectedIds(900, 9));
	}

	@Test
	void aDroppedDownloadFailsThePageWith502AndTheNextRequestResumes() {
		JsonNode broken = page("/v1/batches/batch_drop/results?provider=openai&limit=1000", 502);
		assertThat(broken.at("/error/code").asString()).isEqualTo("results_download_failed");
		assertThat(broken.at("/error/message").asString()).contains("batch_drop", "broke off", "ask again");

		List<JsonNode> items = traverse("batch_drop", 1000);
		assertThat(items.stream().map((item) -> item.path("custom_id").asString()).distinct().count()).isEqualTo(1000);
		assertThat(results.outputDownloads("batch_drop")).isEqualTo(2);
	}

	@Test
	void theFirstPageIsServedWhileTheDownloadGoesOn() {
		// 5,000 lines of about 400 bytes at 200 kB/s: the whole file takes about 10 s.
		long started = System.nanoTime();
		JsonNode first = page("/v1/batches/batch_slow/results?provider=openai&limit=10", 200);
		Duration elapsed = Duration.ofNanos(System.nanoTime() - started);
		assertThat(first.path("results")).hasSize(10);
		assertThat(first.path("has_more").asBoolean()).isTrue();
		assertThat(elapsed).isLessThan(Duration.ofSeconds(8));
	}

	@Test
	void refusesResultsOfABatchThatHasNoneYetOrNeverWill() {
		JsonNode running = page("/v1/batches/batch_running/results?provider=openai", 409);
		assertThat(running.at("/error/message").asString()).contains("batch_running", "in_progress");
		JsonNode failed = page("/v1/batches/batch_failed/results?provider=openai", 409);
		assertThat(failed.at("/error/message").asString()).contains("failed", "errors");
		JsonNode empty = page("/v1/batches/batch_cancelled_early/results?provider=openai", 200);
		assertThat(empty.path("results")).isEmpty();
		assertThat(empty.path("has_more").asBoolean()).isFalse();
	}

	@Test
	void resultsGoneUpstreamAre410() {
		JsonNode gone = page("/v1/batches/batch_expired/results?provider=openai", 410);
		assertThat(gone.at("/error/code").asString()).isEqualTo("results_gone");
		assertThat(gone.at("/error/message").asString()).contains("batch_expired", "no longer available");
	}

	@Test
	void theDownloadUsesTheCallersOwnKeyOnAProviderWithoutOne() {
		JsonNode page = json(this.web.get()
			.uri("/v1/batches/batch_byo/results?provider=byo")
			.header("Authorization", "Bearer sk-caller")
			.exchange()
			.expectStatus()
			.isOk());
		assertThat(page.path("results")).hasSize(30);
		assertThat(results.outputAuthorization("batch_byo")).isEqualTo("Bearer sk-caller");
	}

	@Test
	void metricsTellTheDialectTheProviderAndTheItemsServed() {
		page("/v1/batches/batch_cur_b/results?provider=openai&limit=30", 200);
		await().atMost(Duration.ofSeconds(5))
			.untilAsserted(() -> assertThat(this.meters.find("http.server.requests")
				.tag("dialect", "unified")
				.tag("provider", "openai")
				.tag("uri", "/v1/batches/{batch_id}/results")
				.tag("status", "200")
				.timer()).isNotNull());
		assertThat(this.meters.find("http.client.requests").tag("provider", "openai").timer()).isNotNull();
		assertThat(this.meters.get("ferry.results.items").tag("provider", "openai").counter().count())
			.isGreaterThanOrEqualTo(30);
		assertThat(this.meters.get("ferry.results.bytes").tag("provider", "openai").counter().count())
			.isGreaterThanOrEqualTo(30 * 300);
		assertThat(this.meters.find("ferry.results.spool.bytes").gauge()).isNotNull();
	}

	@Test
	void refusesBadLimitsAndCursors() {
		for (String limit : List.of("0", "1001", "ten")) {
			JsonNode error = page("/v1/batches/batch_cur_a/results?provider=openai&limit=" + limit, 400);
			assertThat(error.at("/error/param").asString()).isEqualTo("limit");
			assertThat(error.at("/error/message").asString()).contains("1..1000");
		}
		String cursor = page("/v1/batches/batch_cur_a/results?provider=openai&limit=5", 200).path("next_cursor")
			.asString();
		assertThat(page("/v1/batches/batch_cur_a/results?provider=openai&cursor=" + cursor, 200).path("results"))
			.hasSize(25);

		char flipped = (cursor.charAt(10) == 'A') ? 'B' : 'A';
		String tampered = cursor.substring(0, 10) + flipped + cursor.substring(11);
		JsonNode altered = page("/v1/batches/batch_cur_a/results?provider=openai&cursor=" + tampered, 400);
		assertThat(altered.at("/error/param").asString()).isEqualTo("cursor");
		assertThat(altered.at("/error/message").asString()).contains("altered");
		JsonNode foreign = page("/v1/batches/batch_cur_b/results?provider=openai&cursor=" + cursor, 400);
		assertThat(foreign.at("/error/message").asString()).contains("another batch");
		JsonNode garbage = page("/v1/batches/batch_cur_a/results?provider=openai&cursor=not-a-cursor!", 400);
		assertThat(garbage.at("/error/param").asString()).isEqualTo("cursor");
	}

	private List<JsonNode> traverse(String batch, int limit) {
		List<JsonNode> items = new ArrayList<>();
		String cursor = null;
		do {
			JsonNode page = page("/v1/batches/" + batch + "/results?provider=openai&limit=" + limit
					+ ((cursor != null) ? "&cursor=" + cursor : ""), 200);
			assertThat(page.path("batch_id").asString()).isEqualTo(batch);
			assertThat(page.at("/extra_fields/provider").asString()).isEqualTo("openai");
			page.path("results").forEach(items::add);
			boolean hasMore = page.path("has_more").asBoolean();
			if (hasMore) {
				assertThat(page.path("results")).hasSize(limit);
				cursor = page.path("next_cursor").asString();
			}
			else {
				assertThat(page.has("next_cursor")).isFalse();
				cursor = null;
			}
		}
		while (cursor != null);
		return items;
	}

	private JsonNode page(String uri, int status) {
		return json(this.web.mutate()
			.codecs((codecs) -> codecs.defaultCodecs().maxInMemorySize(16 * 1024 * 1024))
			.build()
			.get()
			.uri(uri)
			.exchange()
			.expectStatus()
			.isEqualTo(status));
	}

	private JsonNode json(WebTestClient.ResponseSpec response) {
		return this.mapper.readTree(response.expectBody().returnResult().getResponseBody());
	}

	static Set<String> expectedIds(int succeeded, int failed) {
		return Stream
			.concat(IntStream.rangeClosed(1, succeeded).mapToObj((i) -> "ok-" + i),
					IntStream.rangeClosed(1, failed).mapToObj((i) -> "bad-" + i))
			.collect(java.util.stream.Collectors.toSet());
	}

}
