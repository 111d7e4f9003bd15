package dev.ferry.idempotency;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

import com.openai.client.OpenAIClient;
import com.openai.errors.OpenAIServiceException;
import com.openai.models.batches.Batch;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import dev.ferry.support.GatewayKey;
import dev.ferry.support.MockUpstreams;
import dev.ferry.support.OpenAiClients;
import dev.ferry.support.StandaloneFerry;

import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

/**
 * Idempotency records outlive the Ferry that wrote them: a retry after a restart gets the
 * first batch, and a retry after Ferry went down in the middle of a create gets a 409
 * instead of a second, billed, batch.
 */
class IdempotencyAcrossRestartsIntegrationTests {

	static final MockWebServer upstream = MockUpstreams.started();

	static final CreatesUpstream creates = new CreatesUpstream();

	@AfterAll
	static void stopUpstream() {
		upstream.close();
	}

	@Test
	void aRetryAfterARestartGetsTheFirstBatch() throws IOException {
		upstream.setDispatcher(creates);
		creates.creates.set(0);
		creates.delayMillis = 0;
		Path storage = Files.createTempDirectory("ferry-idempotency-restart");
		String key = UUID.randomUUID().toString();
		String firstId;
		try (ConfigurableApplicationContext first = start(storage)) {
			firstId = client(first).batches().create(IdempotentCreatesIntegrationTests.params("file-in", key)).id();
		}
		try (ConfigurableApplicationContext restarted = start(storage)) {
			Batch retried = client(restarted).batches()
				.create(IdempotentCreatesIntegrationTests.params("file-in", key));
			assertThat(retried.id()).isEqualTo(firstId);
		}
		assertThat(creates.creates).hasValue(1);
	}

	@Test
	void aRetryAfterFerryWentDownMidCreateIsRefusedRatherThanCreatedTwice() throws IOException {
		upstream.setDispatcher(creates);
		creates.creates.set(0);
		Path storage = Files.createTempDirectory("ferry-idempotency-crash");
		String key = UUID.randomUUID().toString();
		// The upstream answers long after this Ferry is gone.
		creates.delayMillis = 15_000;
		try (ConfigurableApplicationContext doomed = start(storage)) {
			OpenAIClient client = client(doomed);
			CompletableFuture
				.runAsync(() -> client.batches().create(IdempotentCreatesIntegrationTests.params("file-in", key)));
			await().atMost(Duration.ofSeconds(10)).until(() -> creates.creates.get() == 1);
		}
		creates.delayMillis = 0;
		try (ConfigurableApplicationContext restarted = start(storage)) {
			OpenAIServiceException refused = catchThrowableOfType(OpenAIServiceException.class,
					() -> client(restarted).batches().create(IdempotentCreatesIntegrationTests.params("file-in", key)));
			assertThat(refused.statusCode()).isEqualTo(409);
			assertThat(refused.code()).hasValueSatisfying(
					(code) -> assertThat(code).isIn("idempotency_outcome_unknown", "idempotency_key_in_use"));
			await().atMost(Duration.ofSeconds(10))
				.untilAsserted(() -> assertThat(catchThrowableOfType(OpenAIServiceException.class,
						() -> client(restarted).batches()
							.create(IdempotentCreatesIntegrationTests.params("file-in", key)))
					.code()).hasValue("idempotency_outcome_unknown"));
		}
		assertThat(creates.creates).as("upstream creates").hasValue(1);
	}

	private static OpenAIClient client(ConfigurableApplicationContext context) {
		return OpenAiClients.ferry(((WebServerApplicationContext) context).getWebServer().getPort(), "openai");
	}

	private static ConfigurableApplicationContext start(Path storage) {
		return StandaloneFerry.start(GatewayKey.arguments("--server.port=0", "--server.shutdown=immediate",
				"--ferry.storage.path=" + storage, "--ferry.idempotency.in-flight-timeout=1s",
				"--ferry.providers.openai.base-url=" + upstream.url("/v1"), "--ferry.providers.openai.api-key=sk-up"));
	}

}
