package dev.ferry.provider.mistral;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import dev.ferry.batch.BatchStatus;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every status of Mistral's {@code BatchJobStatus} maps onto OpenAI's, one to one.
 */
class MistralApiTests {

	@ParameterizedTest
	@CsvSource({ "QUEUED, VALIDATING", "RUNNING, IN_PROGRESS", "SUCCESS, COMPLETED", "FAILED, FAILED",
			"TIMEOUT_EXCEEDED, EXPIRED", "CANCELLATION_REQUESTED, CANCELLING", "CANCELLED, CANCELLED",
			"SOMETHING_NEW, IN_PROGRESS" })
	void everyStatusMapsOntoOpenAis(String mistral, BatchStatus openAi) {
		assertThat(MistralApi.status(mistral)).isEqualTo(openAi);
	}

}
