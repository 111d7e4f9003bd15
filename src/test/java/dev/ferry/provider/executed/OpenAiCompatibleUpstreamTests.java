package dev.ferry.provider.executed;

import java.time.Duration;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The {@code x-ratelimit-reset-*} durations OpenAI-compatible servers send, read as the
 * wait they ask for.
 */
class OpenAiCompatibleUpstreamTests {

	@ParameterizedTest
	@CsvSource({ "1s, 1000", "250ms, 250", "6m0s, 360000", "1m30s, 90000", "1.5s, 1500", "2h, 7200000" })
	void readsRateLimitResetDurations(String text, long millis) {
		assertThat(OpenAiCompatibleUpstream.goDuration(text)).isEqualTo(Duration.ofMillis(millis));
	}

	@ParameterizedTest
	@ValueSource(strings = { "", "soon", "10", "1s later" })
	void ignoresWhatIsNoDuration(String text) {
		assertThat(OpenAiCompatibleUpstream.goDuration(text)).isNull();
	}

}
