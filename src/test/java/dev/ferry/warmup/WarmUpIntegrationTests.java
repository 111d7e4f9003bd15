package dev.ferry.warmup;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;

import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;

import dev.ferry.batch.ProviderRegistry;
import dev.ferry.support.GatewayKey;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.event.EventListener;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The warm-up runs its calls through Ferry's own port before the replica reports ready,
 * every call answered, with nothing written to the store and its provider gone after.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "ferry.warm-up.enabled=true", "ferry.warm-up.duration=2s", "ferry.usage.enabled=true" })
class WarmUpIntegrationTests {

	static final Path storage = createStorage();

	@Autowired
	WarmUp warmUp;

	@Autowired
	ProviderRegistry registry;

	@Autowired
	ReadinessWatch readiness;

	@Autowired
	MeterRegistry meters;

	@DynamicPropertySource
	static void properties(DynamicPropertyRegistry registry) {
		registry.add("ferry.storage.path", storage::toString);
		registry.add("ferry.providers.sandbox.type", () -> "sandbox");
		GatewayKey.register(registry);
	}

	@Test
	void warmsUpThroughItsOwnPortBeforeReadinessAndLeavesNothingBehind() throws IOException {
		assertThat(this.warmUp.answered.get()).as("calls answered").isGreaterThan(50);
		assertThat(this.warmUp.refused.get()).as("calls refused").isZero();
		assertThat(this.readiness.acceptingSince).as("ready only once the warm-up had ended")
			.isAfterOrEqualTo(this.warmUp.endedAt);
		assertThat(this.registry.find("ferry-warm-up")).as("its provider is gone").isNull();
		assertThat(this.registry.names()).doesNotContain("ferry-warm-up");
		assertThat(this.meters.find("http.client.requests").meters()).as("client metrics of the warm-up")
			.isNotEmpty()
			.allSatisfy((meter) -> assertThat(meter.getId().getTag("uri")).doesNotContain("batch_warm_up"));
		try (Stream<Path> files = Files.walk(storage)) {
			List<Path> written = files.filter(Files::isRegularFile)
				.filter((file) -> !file.toString().contains("cursor"))
				.toList();
			assertThat(written).as("written to the store").isEmpty();
		}
	}

	private static Path createStorage() {
		try {
			return Files.createTempDirectory("ferry-warm-up");
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
	}

	@TestConfiguration
	static class Watch {

		@Bean
		ReadinessWatch readinessWatch() {
			return new ReadinessWatch();
		}

	}

	static class ReadinessWatch {

		volatile Instant acceptingSince = Instant.MAX;

		@EventListener
		void on(AvailabilityChangeEvent<ReadinessState> event) {
			if (event.getState() == ReadinessState.ACCEPTING_TRAFFIC) {
				this.acceptingSince = Instant.now();
			}
		}

	}

}
