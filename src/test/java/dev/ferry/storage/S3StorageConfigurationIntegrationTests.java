package dev.ferry.storage;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.ferry.support.GatewayKey;
import dev.ferry.support.S3Server;
import dev.ferry.support.StandaloneFerry;

import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The S3 store's settings fail start-up with the setting to fix, and an outage of the
 * store mid-request is a 503 in the caller's dialect.
 */
class S3StorageConfigurationIntegrationTests {

	@Test
	void aMissingBucketSettingStopsStartUp() {
		assertThatThrownBy(() -> StandaloneFerry.start(GatewayKey.arguments("--server.port=0",
				"--ferry.storage.type=s3", "--ferry.storage.s3.endpoint=http://127.0.0.1:1")))
			.hasStackTraceContaining("ferry.storage.s3.bucket: not set");
	}

	@Test
	void anUnreachableEndpointStopsStartUpNamingTheSetting() {
		assertThatThrownBy(() -> StandaloneFerry
			.start(GatewayKey.arguments("--server.port=0", "--ferry.storage.type=s3", "--ferry.storage.s3.bucket=state",
					"--ferry.storage.s3.endpoint=http://127.0.0.1:1", "--ferry.storage.s3.region=us-east-1",
					"--ferry.storage.s3.access-key-id=x", "--ferry.storage.s3.secret-access-key=y")))
			.hasStackTraceContaining("ferry.storage.s3.endpoint: cannot reach the store at http://127.0.0.1:1");
	}

	@Test
	void aBucketThatDoesNotExistStopsStartUp() {
		try (S3Server s3 = S3Server.start("present")) {
			List<String> arguments = new ArrayList<>(List.of("--server.port=0"));
			arguments.addAll(s3.ferryArguments("absent", ""));
			assertThatThrownBy(() -> StandaloneFerry.start(GatewayKey.arguments(arguments.toArray(String[]::new))))
				.hasStackTraceContaining("ferry.storage.s3.bucket: the bucket 'absent' does not exist");
		}
	}

	@Test
	void anOutageOfTheStoreIsA503InTheCallersDialect() {
		S3Server s3 = S3Server.start("state");
		List<String> arguments = new ArrayList<>(List.of("--server.port=0"));
		arguments.addAll(s3.ferryArguments("state", ""));
		try (ConfigurableApplicationContext ferry = StandaloneFerry
			.start(GatewayKey.arguments(arguments.toArray(String[]::new)))) {
			WebTestClient web = WebTestClient.bindToServer()
				.baseUrl("http://localhost:" + ((WebServerApplicationContext) ferry).getWebServer().getPort())
				.defaultHeader("Authorization", GatewayKey.BEARER)
				.responseTimeout(Duration.ofSeconds(60))
				.build();
			web.get().uri("/openai/v1/batches?provider=sandbox").exchange().expectStatus().isOk();
			s3.close();
			web.get()
				.uri("/openai/v1/batches?provider=sandbox")
				.exchange()
				.expectStatus()
				.isEqualTo(503)
				.expectBody()
				.jsonPath("$.error.code")
				.isEqualTo("storage_unavailable")
				.jsonPath("$.error.message")
				.value((String message) -> assertThat(message).contains("storage is unavailable"));
			web.get()
				.uri("/anthropic/v1/messages/batches/batch_0123?provider=sandbox")
				.exchange()
				.expectStatus()
				.isEqualTo(503)
				.expectBody()
				.jsonPath("$.type")
				.isEqualTo("error")
				.jsonPath("$.error.type")
				.isEqualTo("api_error");
		}
	}

}
