package dev.ferry.tenancy;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;

import com.openai.client.OpenAIClient;
import com.openai.errors.RateLimitException;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import dev.ferry.support.MutableClock;
import dev.ferry.support.OpenAiBatches;
import dev.ferry.support.OpenAiClients;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.context.annotation.Bean;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.EntityExchangeResult;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * Quotas by team and by key: a batch over the requests a batch may have, a day's
 * requests, and the batches in flight are each refused with a 429 in the caller's
 * dialect, naming the limit (and its setting) and when it resets, before anything is
 * created; the day's count resets at midnight UTC and a place in flight frees when a
 * batch ends.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@AutoConfigureWebTestClient(timeout = "30s")
class QuotasIntegrationTests {

	/** Of team {@code small-batches}: at most 3 requests a batch. */
	static final String SMALL = "ferry-small-batches-key-0001";

	/** Of team {@code daily}: at most 5 requests a day. */
	static final String DAILY = "ferry-daily-budget-key-00002";

	/** Key {@code bob}: at most one batch in flight. */
	static final String BOB = "ferry-bob-one-at-a-time-0003";

	@LocalServerPort
	int port;

	@Autowired
	WebTestClient web;

	@Autowired
	MutableClock clock;

	@DynamicPropertySource
	static void quotas(DynamicPropertyRegistry registry) throws Exception {
		key(registry, 0, "small", SMALL, "small-batches");
		key(registry, 1, "daily", DAILY, "daily");
		key(registry, 2, "bob", BOB, "ops");
		registry.add("ferry.quotas.teams.small-batches.requests-per-batch", () -> 3);
		registry.add("ferry.quotas.teams.daily.requests-per-day", () -> 5);
		registry.add("ferry.quotas.keys.bob.batches-in-flight", () -> 1);
		String storage = java.nio.file.Files.createTempDirectory("ferry-quotas").toString();
		registry.add("ferry.storage.path", () -> storage);
		registry.add("ferry.providers.sandbox.processing-time", () -> "10s");
	}

	private static void key(DynamicPropertyRegistry registry, int index, String name, String key, String team) {
		registry.add("ferry.auth.keys[" + index + "].name", () -> name);
		registry.add("ferry.auth.keys[" + index + "].key", () -> key);
		registry.add("ferry.auth.keys[" + index + "].team", () -> team);
	}

	@Test
	void aBatchWithMoreRequestsThanTheTeamsLimitIsRefusedBeforeItIsCreated() {
		OpenAIClient client = OpenAiClients.ferry(this.port, "sandbox", SMALL);
		RateLimitException refused = catchThrowableOfType(RateLimitException.class,
				() -> OpenAiBatches.create(client, OpenAiBatches.chatLines("echo-1", List.of("a", "b", "c", "d"))));
		assertThat(refused.getMessage()).contains("ferry.quotas.teams.small-batches.requests-per-batch",
				"the batch has 4 requests", "at most 3");
		assertThat(client.batches().list().data()).isEmpty();
		// Inline requests in the unified API count the same; three are within the limit.
		EntityExchangeResult<JsonNode> inline = createInline(SMALL, 4);
		assertThat(inline.getStatus().value()).isEqualTo(429);
		assertThat(inline.getResponseBody().at("/error/code").asString()).isEqualTo("quota_exceeded");
		assertThat(inline.getResponseHeaders().getFirst(HttpHeaders.RETRY_AFTER)).isNull();
		assertThat(createInline(SMALL, 3).getStatus().value()).isEqualTo(200);
	}

	@Test
	void aTeamsRequestsPerDayResetAtMidnightUtc() {
		assertThat(createInline(DAILY, 3).getStatus().value()).isEqualTo(200);
		assertThat(createInline(DAILY, 2).getStatus().value()).isEqualTo(200);
		EntityExchangeResult<JsonNode> over = createInline(DAILY, 1);
		assertThat(over.getStatus().value()).isEqualTo(429);
		Instant midnight = this.clock.instant()
			.atZone(ZoneOffset.UTC)
			.toLocalDate()
			.plusDays(1)
			.atStartOfDay(ZoneOffset.UTC)
			.toInstant();
		assertThat(over.getResponseBody().at("/error/message").asString()).contains(
				"ferry.quotas.teams.daily.requests-per-day", "5 requests today", "its 5 a day",
				"resets at " + midnight);
		assertThat(over.getResponseBody().at("/error/type").asString()).isEqualTo("rate_limit_error");
		assertThat(over.getResponseHeaders().getFirst(HttpHeaders.RETRY_AFTER))
			.isEqualTo(Long.toString(Duration.between(this.clock.instant(), midnight).toSeconds()));

		this.clock.advance(Duration.between(this.clock.instant(), midnight));
		assertThat(createInline(DAILY, 5).getStatus().value()).isEqualTo(200);
		assertThat(createInline(DAILY, 1).getStatus().value()).isEqualTo(429);
	}

	@Test
	void aKeysBatchesInFlightFreeAPlaceWhenOneEnds() throws Exception {
		OpenAIClient client = OpenAiClients.ferry(this.port, "sandbox", BOB);
		OpenAiBatches.create(client, OpenAiBatches.chatLines("echo-1", List.of("a")));
		RateLimitException refused = catchThrowableOfType(RateLimitException.class,
				() -> OpenAiBatches.create(client, OpenAiBatches.chatLines("echo-1", List.of("b"))));
		assertThat(refused.getMessage()).contains("ferry.quotas.keys.bob.batches-in-flight",
				"key 'bob' has 1 batches not yet ended");
		assertThat(refused.headers().values(HttpHeaders.RETRY_AFTER)).containsExactly("60");
		// Through the Anthropic dialect the refusal is Anthropic's shape.
		JsonNode anthropic = this.web.post()
			.uri("/anthropic/v1/messages/batches")
			.header("x-api-key", BOB)
			.header("anthropic-version", "2023-06-01")
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue("""
					{"requests":[{"custom_id":"r1","params":{"model":"sandbox/echo-1","max_tokens":8,
					 "messages":[{"role":"user","content":"hi"}]}}]}""")
			.exchange()
			.expectStatus()
			.isEqualTo(429)
			.expectBody(JsonNode.class)
			.returnResult()
			.getResponseBody();
		assertThat(anthropic.path("type").asString()).isEqualTo("error");
		assertThat(anthropic.at("/error/type").asString()).isEqualTo("rate_limit_error");
		assertThat(anthropic.at("/error/message").asString()).contains("batches-in-flight");

		this.clock.advance(Duration.ofSeconds(11));
		assertThat(OpenAiBatches.create(client, OpenAiBatches.chatLines("echo-1", List.of("c")))).isNotBlank();
	}

	private EntityExchangeResult<JsonNode> createInline(String key, int requests) {
		StringBuilder items = new StringBuilder();
		for (int i = 0; i < requests; i++) {
			items.append((i > 0) ? "," : "")
				.append("{\"custom_id\":\"r")
				.append(i)
				.append("\",\"params\":{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}}");
		}
		return this.web.post()
			.uri("/v1/batches")
			.header("Authorization", "Bearer " + key)
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(
					"{\"model\":\"sandbox/echo-1\",\"endpoint\":\"/v1/chat/completions\",\"requests\":[" + items + "]}")
			.exchange()
			.expectBody(JsonNode.class)
			.returnResult();
	}

	@TestConfiguration(proxyBeanMethods = false)
	static class Clocks {

		@Bean
		MutableClock clock() {
			return new MutableClock();
		}

	}

}
