package dev.ferry.auth;

import java.io.IOException;
import java.nio.file.Files;
import java.util.stream.Stream;

import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import dev.ferry.batch.Sha256;
import dev.ferry.support.MockUpstreams;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Who may spend the configured provider keys: the auth matrix (no key, a wrong gateway
 * key, a gateway key, a key restricted to other providers, the caller's own key) across
 * the dialects, against upstreams that record the credentials they received.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@AutoConfigureWebTestClient
class GatewayKeysIntegrationTests {

	static final String FULL = "ferry-full-access-key-0001";

	static final String SANDBOX_ONLY = "ferry-sandbox-only-key-0001";

	/** Configured as its SHA-256 only. */
	static final String HASHED = "ferry-hashed-key-000000001";

	static final MockWebServer upstream = MockUpstreams.started();

	private final JsonMapper mapper = JsonMapper.builder().build();

	@Autowired
	WebTestClient web;

	@DynamicPropertySource
	static void properties(DynamicPropertyRegistry registry) throws IOException {
		registry.add("ferry.providers.openai.base-url", () -> upstream.url("/v1").toString());
		MockUpstreams.withoutStatusCache(registry, "openai");
		MockUpstreams.withoutStatusCache(registry, "anthropic");
		registry.add("ferry.providers.openai.api-key", () -> "sk-upstream");
		registry.add("ferry.providers.anthropic.base-url", () -> upstream.url("/").toString());
		registry.add("ferry.providers.anthropic.api-key", () -> "sk-ant-upstream");
		registry.add("ferry.auth.keys[0].name", () -> "full");
		registry.add("ferry.auth.keys[0].key", () -> FULL);
		registry.add("ferry.auth.keys[1].name", () -> "sandbox-only");
		registry.add("ferry.auth.keys[1].key", () -> SANDBOX_ONLY);
		registry.add("ferry.auth.keys[1].providers", () -> "sandbox");
		registry.add("ferry.auth.keys[2].name", () -> "hashed");
		registry.add("ferry.auth.keys[2].key-sha256", () -> Sha256.hex(HASHED));
		// One team: these tests read batches made outside Ferry, which a Ferry of several
		// teams confines no key to (TeamOwnershipIntegrationTests covers teams).
		for (int key = 0; key < 3; key++) {
			registry.add("ferry.auth.keys[" + key + "].team", () -> "platform");
		}
		String storage = Files.createTempDirectory("ferry-auth-it").toString();
		registry.add("ferry.storage.path", () -> storage);
	}

	@AfterEach
	void nothingElseWentUpstream() throws InterruptedException {
		MockUpstreams.assertNothingLeft(upstream);
	}

	@AfterAll
	static void stopUpstream() {
		upstream.close();
	}

	@Test
	void aGatewayKeySpendsTheConfiguredProviderKeyInEveryHeaderStyle() throws Exception {
		for (String[] header : new String[][] { { "Authorization", "Bearer " + FULL }, { "x-api-key", FULL },
				{ "api-key", FULL }, { "Authorization", "Bearer " + HASHED } }) {
			MockUpstreams.enqueueJson(upstream, 200, batch());
			this.web.get()
				.uri("/v1/batches/batch_1?provider=openai")
				.header(header[0], header[1])
				.exchange()
				.expectStatus()
				.isOk();
			RecordedRequest sent = MockUpstreams.take(upstream);
			assertThat(sent.getHeaders().get("Authorization")).as(header[0]).isEqualTo("Bearer sk-upstream");
			assertThat(sent.getHeaders().toString()).doesNotContain("ferry-");
		}
	}

	/**
	 * Every way of calling, in every dialect: what Ferry answers, and which credential
	 * the upstream saw (none at all when Ferry refused).
	 */
	@ParameterizedTest(name = "{0} with {1}")
	@MethodSource("dialectsAndCredentials")
	void authMatrix(String dialect, String credential) throws Exception {
		boolean anthropic = dialect.equals("anthropic");
		String path = switch (dialect) {
			case "openai" -> "/openai/v1/batches/batch_1";
			case "unified" -> "/v1/batches/batch_1?provider=openai";
			default -> "/anthropic/v1/messages/batches/msgbatch_1";
		};
		String header = anthropic ? "x-api-key" : "Authorization";
		String prefix = anthropic ? "" : "Bearer ";
		String sent = switch (credential) {
			case "gateway key" -> FULL;
			case "wrong gateway key" -> "ferry-not-a-configured-key";
			case "own key" -> "sk-callers-own";
			default -> null;
		};
		boolean reachesUpstream = credential.equals("gateway key") || credential.equals("own key");
		if (reachesUpstream) {
			MockUpstreams.enqueueJson(upstream, 200, anthropic ? anthropicBatch() : batch());
		}
		WebTestClient.RequestHeadersSpec<?> request = this.web.get().uri(path);
		if (sent != null) {
			request = request.header(header, prefix + sent);
		}
		request.exchange().expectStatus().isEqualTo(reachesUpstream ? 200 : 401);
		if (reachesUpstream) {
			String expected = credential.equals("gateway key") ? (anthropic ? "sk-ant-upstream" : "sk-upstream")
					: "sk-callers-own";
			String seen = MockUpstreams.take(upstream).getHeaders().get(header);
			assertThat(seen).isEqualTo(prefix + expected);
		}
	}

	static Stream<Arguments> dialectsAndCredentials() {
		return Stream.of("openai", "unified", "anthropic")
			.flatMap((dialect) -> Stream.of("no key", "wrong gateway key", "gateway key", "own key")
				.map((credential) -> Arguments.of(dialect, credential)));
	}

	@Test
	void aCallerWithoutAGatewayKeyUsesTheirOwnKeyNeverTheConfiguredOne() throws Exception {
		MockUpstreams.enqueueJson(upstream, 200, batch());
		this.web.get()
			.uri("/openai/v1/batches/batch_1?provider=openai")
			.header("Authorization", "Bearer sk-mine")
			.exchange()
			.expectStatus()
			.isOk();
		assertThat(MockUpstreams.take(upstream).getHeaders().get("Authorization")).isEqualTo("Bearer sk-mine");

		MockUpstreams.enqueueJson(upstream, 200, anthropicBatch());
		this.web.get()
			.uri("/anthropic/v1/messages/batches/msgbatch_1")
			.header("x-api-key", "sk-ant-mine")
			.exchange()
			.expectStatus()
			.isOk();
		assertThat(MockUpstreams.take(upstream).getHeaders().get("x-api-key")).isEqualTo("sk-ant-mine");
	}

	@Test
	void noCredentialsAtAllIsRefusedBeforeAnythingGoesUpstream() {
		JsonNode unified = json(
				this.web.get().uri("/v1/batches/batch_1?provider=openai").exchange().expectStatus().isUnauthorized());
		assertThat(unified.at("/error/code").asString()).isEqualTo("missing_credentials");
		assertThat(unified.at("/error/message").asString()).contains("gateway key", "your own provider key");
		JsonNode anthropic = json(this.web.get()
			.uri("/anthropic/v1/messages/batches/msgbatch_1")
			.exchange()
			.expectStatus()
			.isUnauthorized());
		assertThat(anthropic.path("type").asString()).isEqualTo("error");
		assertThat(anthropic.at("/error/type").asString()).isEqualTo("authentication_error");
		this.web.get().uri("/v1/batches?provider=sandbox").exchange().expectStatus().isOk();
	}

	@Test
	void aWrongGatewayKeyIs401InTheDialectsShape() {
		JsonNode openai = json(this.web.get()
			.uri("/openai/v1/batches?provider=openai")
			.header("Authorization", "Bearer ferry-not-a-configured-key")
			.exchange()
			.expectStatus()
			.isUnauthorized());
		assertThat(openai.at("/error/code").asString()).isEqualTo("invalid_gateway_key");
		JsonNode anthropic = json(this.web.get()
			.uri("/anthropic/v1/messages/batches")
			.header("x-api-key", "ferry-not-a-configured-key")
			.exchange()
			.expectStatus()
			.isUnauthorized());
		assertThat(anthropic.at("/error/type").asString()).isEqualTo("authentication_error");
		assertThat(anthropic.at("/error/message").asString()).doesNotContain("sk-");
	}

	@Test
	void aKeyRestrictedToOtherProvidersIs403() {
		JsonNode refused = json(this.web.get()
			.uri("/v1/batches/batch_1?provider=openai")
			.header("Authorization", "Bearer " + SANDBOX_ONLY)
			.exchange()
			.expectStatus()
			.isForbidden());
		assertThat(refused.at("/error/message").asString()).contains("sandbox-only", "openai", "allowed: sandbox");
		this.web.get()
			.uri("/v1/batches?provider=sandbox")
			.header("Authorization", "Bearer " + SANDBOX_ONLY)
			.exchange()
			.expectStatus()
			.isOk();
	}

	private JsonNode json(WebTestClient.ResponseSpec response) {
		return this.mapper.readTree(response.expectBody().returnResult().getResponseBody());
	}

	private static String batch() {
		return "{\"id\":\"batch_1\",\"object\":\"batch\",\"endpoint\":\"/v1/chat/completions\",\"input_file_id\":\"file-1\","
				+ "\"completion_window\":\"24h\",\"status\":\"in_progress\",\"created_at\":1763800000,"
				+ "\"request_counts\":{\"total\":1,\"completed\":0,\"failed\":0}}";
	}

	private static String anthropicBatch() {
		return "{\"id\":\"msgbatch_1\",\"type\":\"message_batch\",\"processing_status\":\"in_progress\","
				+ "\"request_counts\":{\"processing\":1,\"succeeded\":0,\"errored\":0,\"canceled\":0,\"expired\":0},"
				+ "\"created_at\":\"2026-11-22T00:00:00Z\",\"expires_at\":\"2026-11-23T00:00:00Z\",\"ended_at\":null,"
				+ "\"cancel_initiated_at\":null,\"archived_at\":null,\"results_url\":null}";
	}

}
