package dev.ferry.dialect.unified;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.stream.Stream;

import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import dev.ferry.support.GatewayKey;
import dev.ferry.support.MockUpstreams;
import dev.ferry.support.ResultsUpstream;
import dev.ferry.support.StandaloneFerry;

import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A traversal that outlives the Ferry serving it: cursors signed with a shared secret
 * carry on after a restart (the spool in the store is reused) and on a replica with a
 * store of its own, which has no spool at all (it is downloaded again and the page
 * continues at the right item).
 */
class ResultsAcrossRestartsIntegrationTests {

	static final ResultsUpstream results = new ResultsUpstream().completed("batch_restart", 1000, 50, 400);

	static final MockWebServer upstream = MockUpstreams.started();

	private final JsonMapper mapper = JsonMapper.builder().build();

	@AfterAll
	static void stopUpstream() {
		upstream.close();
	}

	@Test
	void aCursorCarriesOnAfterARestartAndOnAnotherReplica() throws IOException {
		upstream.setDispatcher(results);
		Path storage = Files.createTempDirectory("ferry-restart-it");
		List<String> ids = new ArrayList<>();
		String cursor;
		try (ConfigurableApplicationContext first = start(storage)) {
			cursor = pages(first, null, 3, ids);
			await().atMost(Duration.ofSeconds(20)).until(() -> completeSpools(storage) == 1);
		}
		assertThat(results.outputDownloads("batch_restart")).isEqualTo(1);

		try (ConfigurableApplicationContext restarted = start(storage)) {
			cursor = pages(restarted, cursor, 3, ids);
		}
		assertThat(results.outputDownloads("batch_restart")).as("the spool kept on disk is read again").isEqualTo(1);

		try (ConfigurableApplicationContext otherReplica = start(Files.createTempDirectory("ferry-replica-it"))) {
			assertThat(pages(otherReplica, cursor, Integer.MAX_VALUE, ids)).isNull();
		}
		assertThat(results.outputDownloads("batch_restart")).as("a replica without the spool downloads it")
			.isEqualTo(2);
		assertThat(new HashSet<>(ids)).hasSize(ids.size())
			.isEqualTo(UnifiedResultsIntegrationTests.expectedIds(1000, 50));
	}

	/** Reads up to {@code count} pages of 100 from a cursor, returning the next one. */
	private String pages(ConfigurableApplicationContext context, String cursor, int count, List<String> ids) {
		int port = ((WebServerApplicationContext) context).getWebServer().getPort();
		WebTestClient web = WebTestClient.bindToServer()
			.baseUrl("http://localhost:" + port)
			.defaultHeader("Authorization", GatewayKey.BEARER)
			.responseTimeout(Duration.ofSeconds(30))
			.codecs((codecs) -> codecs.defaultCodecs().maxInMemorySize(4 * 1024 * 1024))
			.build();
		String next = cursor;
		for (int i = 0; i < count; i++) {
			byte[] body = web.get()
				.uri("/v1/batches/batch_restart/results?provider=openai&limit=100"
						+ ((next != null) ? "&cursor=" + next : ""))
				.exchange()
				.expectStatus()
				.isOk()
				.expectBody()
				.returnResult()
				.getResponseBody();
			JsonNode page = this.mapper.readTree(body);
			page.path("results").forEach((item) -> ids.add(item.path("custom_id").asString()));
			next = page.path("has_more").asBoolean() ? page.path("next_cursor").asString() : null;
			if (next == null) {
				break;
			}
		}
		return next;
	}

	private static ConfigurableApplicationContext start(Path storage) {
		return StandaloneFerry.start(GatewayKey.arguments("--server.port=0", "--ferry.storage.path=" + storage,
				"--ferry.results.cursor-secret=shared-by-every-replica",
				"--ferry.providers.openai.base-url=" + upstream.url("/v1"), "--ferry.providers.openai.api-key=sk-up"));
	}

	private static long completeSpools(Path storage) throws IOException {
		try (Stream<Path> files = Files.list(storage.resolve("spools"))) {
			return files.filter((file) -> file.toString().endsWith(".done")).count();
		}
	}

}
