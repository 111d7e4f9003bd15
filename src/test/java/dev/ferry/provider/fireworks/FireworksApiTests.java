package dev.ferry.provider.fireworks;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import dev.ferry.batch.BatchStatus;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every state of Fireworks' {@code JobState} enum, and the bare forms its guide uses,
 * maps onto OpenAI's status.
 */
class FireworksApiTests {

	@ParameterizedTest
	@CsvSource({ "JOB_STATE_UNSPECIFIED, VALIDATING", "JOB_STATE_CREATING, VALIDATING",
			"JOB_STATE_CREATING_INPUT_DATASET, VALIDATING", "JOB_STATE_VALIDATING, VALIDATING",
			"JOB_STATE_PENDING, VALIDATING", "JOB_STATE_RE_QUEUEING, VALIDATING", "JOB_STATE_IDLE, VALIDATING",
			"JOB_STATE_RUNNING, IN_PROGRESS", "JOB_STATE_WRITING_RESULTS, FINALIZING", "JOB_STATE_COMPLETED, COMPLETED",
			"JOB_STATE_FAILED, FAILED", "JOB_STATE_EARLY_STOPPED, FAILED", "JOB_STATE_EXPIRED, EXPIRED",
			"JOB_STATE_CANCELLING, CANCELLING", "JOB_STATE_CANCELLED, CANCELLED", "JOB_STATE_DELETING, CANCELLED",
			"JOB_STATE_DELETING_CLEANING_UP, CANCELLED", "JOB_STATE_DELETED, CANCELLED",
			"JOB_STATE_PAUSED, IN_PROGRESS", "JOB_STATE_SOMETHING_NEW, IN_PROGRESS", "VALIDATING, VALIDATING",
			"PENDING, VALIDATING", "RUNNING, IN_PROGRESS", "COMPLETED, COMPLETED", "FAILED, FAILED",
			"EXPIRED, EXPIRED" })
	void everyStateMapsOntoOpenAis(String fireworks, BatchStatus openAi) {
		assertThat(FireworksApi.status(fireworks)).isEqualTo(openAi);
	}

}
