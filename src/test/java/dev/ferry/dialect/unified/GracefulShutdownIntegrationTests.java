package dev.ferry.dialect.unified;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.HashSet;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;

import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

import dev.ferry.support.GatewayKey;
import dev.ferry.support.MockUpstreams;
import dev.ferry.support.ResultsUpstream;
import dev.ferry.support.StandaloneFerry;

import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a rolling update does to a pod: Ferry is asked to stop while a results stream is
 * in flight, and the stream still finishes whole before the process goes.
 */
class GracefulShutdownIntegrationTests {

	private final JsonMapper mapper = JsonMapper.builder().build();

	@Test
	void aResultsStreamInFlightFinishesWholeWhileFerryStops() throws Exception {
		// 1,500 lines of about 400 bytes at 200 kB/s: about 3 s of streaming.
		ResultsUpstream results = new ResultsUpstream().slow("batch_draining", 1500, 200_000);
		try (MockWebServer upstream = MockUpstreams.started()) {
			upstream.setDispatcher(results);
			ConfigurableApplicationContext ferry = StandaloneFerry.start(GatewayKey.arguments("--server.port=0",
					"--ferry.storage.path=" + Files.createTempDirectory("ferry-drain-it"),
					"--ferry.providers.openai.base-url=" + upstream.url("/v1"), "--ferry.providers.openai.api-key=sk",
					"--spring.lifecycle.timeout-per-shutdown-phase=30s"));
			int port = ((WebServerApplicationContext) ferry).getWebServer().getPort();
			HttpClient http = HttpClient.newHttpClient();
			HttpRequest request = HttpRequest
				.newBuilder(
						URI.create("http://127.0.0.1:" + port + "/v1/batches/batch_draining/results?provider=openai"))
				.header("Accept", "application/x-ndjson")
				.header("Authorization", GatewayKey.BEARER)
				.build();
			CompletableFuture<HttpResponse<Stream<String>>> streaming = http.sendAsync(request,
					HttpResponse.BodyHandlers.ofLines());
			HttpResponse<Stream<String>> response = streaming.get();
			assertThat(response.statusCode()).isEqualTo(200);

			long stopping = System.nanoTime();
			CompletableFuture<Void> stopped = CompletableFuture.runAsync(ferry::close);
			var ids = response.body().map((line) -> this.mapper.readTree(line).path("custom_id").asString()).toList();
			stopped.get();
			assertThat(new HashSet<>(ids)).hasSize(1500).isEqualTo(UnifiedResultsIntegrationTests.expectedIds(1500, 0));
			assertThat(Duration.ofNanos(System.nanoTime() - stopping)).as("the stop waited for the stream")
				.isGreaterThan(Duration.ofSeconds(1));
		}
	}

}
