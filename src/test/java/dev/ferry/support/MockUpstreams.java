package dev.ferry.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.List;
import java.util.concurrent.TimeUnit;

import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;

import org.springframework.test.context.DynamicPropertyRegistry;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * MockWebServer upstreams for integration tests: started once per test class, answering
 * queued JSON responses and recording what Ferry sent.
 */
public final class MockUpstreams {

	private MockUpstreams() {
	}

	public static MockWebServer started() {
		MockWebServer server = new MockWebServer();
		try {
			server.start();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		return server;
	}

	/**
	 * Points providers at an upstream, each with an upstream key, and gives Ferry a fresh
	 * storage directory and the test gateway key.
	 * @param registry the test's properties
	 * @param upstream the upstream
	 * @param openAi the names of {@code openai}-type providers to point at it
	 * @param anthropic whether the {@code anthropic} provider points at it too
	 * @throws IOException when no temporary directory can be made
	 */
	public static void pointAt(DynamicPropertyRegistry registry, MockWebServer upstream, List<String> openAi,
			boolean anthropic) throws IOException {
		GatewayKey.register(registry);
		String storage = Files.createTempDirectory("ferry-it").toString();
		registry.add("ferry.storage.path", () -> storage);
		for (String provider : openAi) {
			registry.add("ferry.providers." + provider + ".type", () -> "openai");
			registry.add("ferry.providers." + provider + ".base-url", () -> upstream.url("/v1").toString());
			registry.add("ferry.providers." + provider + ".api-key", () -> "sk-upstream");
		}
		if (anthropic) {
			registry.add("ferry.providers.anthropic.base-url", () -> upstream.url("/").toString());
			registry.add("ferry.providers.anthropic.api-key", () -> "sk-ant-upstream");
		}
	}

	/**
	 * Turns off keeping retrieved batches in cache for a provider, for tests that script
	 * the upstream call by call and expect every retrieve to reach it. The cache has its
	 * own tests.
	 * @param registry the test's properties
	 * @param provider the provider name
	 */
	public static void withoutStatusCache(DynamicPropertyRegistry registry, String provider) {
		registry.add("ferry.providers." + provider + ".status-cache.running-ttl", () -> "0s");
		registry.add("ferry.providers." + provider + ".status-cache.ended-ttl", () -> "0s");
	}

	public static void enqueueJson(MockWebServer server, int status, String body) {
		server.enqueue(new MockResponse.Builder().code(status)
			.addHeader("Content-Type", "application/json")
			.body(body)
			.build());
	}

	/**
	 * The next request the upstream received, waiting a little for it.
	 * @param server the upstream
	 * @return the request
	 */
	public static RecordedRequest take(MockWebServer server) throws InterruptedException {
		RecordedRequest request = server.takeRequest(5, TimeUnit.SECONDS);
		assertThat(request).as("a request to the upstream").isNotNull();
		return request;
	}

	/**
	 * Checks that the upstream received nothing the test did not take.
	 * @param server the upstream
	 */
	public static void assertNothingLeft(MockWebServer server) throws InterruptedException {
		assertThat(server.takeRequest(10, TimeUnit.MILLISECONDS)).as("an unexpected upstream request").isNull();
	}

}
