package dev.ferry.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.AfterEach;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Ferry on a random port with its {@code anthropic} provider pointed at one
 * MockWebServer, shared by the test classes that extend this (and so by one Spring
 * context). The server lives as long as the test JVM.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@AutoConfigureWebTestClient(timeout = "30s")
public abstract class AnthropicUpstream {

	protected static final MockWebServer upstream = MockUpstreams.started();

	protected final JsonMapper mapper = JsonMapper.builder().build();

	@LocalServerPort
	protected int port;

	@DynamicPropertySource
	protected static void upstreamProperties(DynamicPropertyRegistry registry) throws IOException {
		GatewayKey.register(registry);
		registry.add("ferry.providers.anthropic.base-url", () -> upstream.url("/").toString());
		MockUpstreams.withoutStatusCache(registry, "anthropic");
		registry.add("ferry.providers.anthropic.api-key", () -> "sk-ant-upstream");
		Path storage = Files.createTempDirectory("ferry-anthropic-it");
		registry.add("ferry.storage.path", storage::toString);
	}

	@AfterEach
	protected void nothingLeftQueued() throws InterruptedException {
		MockUpstreams.assertNothingLeft(upstream);
	}

}
