package dev.ferry.provider.xai;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import dev.ferry.batch.BatchStatus;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * xAI's batches have counters, not a status: the status is derived exactly as the mapping
 * table says.
 */
class XaiApiTests {

	@ParameterizedTest(name = "requests {0}, pending {1}, cancel time {2}, by xAI {3}: {4}")
	@CsvSource({ "0, 0, false, false, VALIDATING", "3, 2, false, false, IN_PROGRESS", "3, 0, false, false, COMPLETED",
			"3, 1, true, false, CANCELLED", "3, 3, true, true, FAILED", "0, 0, true, true, FAILED",
			"0, 0, true, false, CANCELLED" })
	void theStatusIsDerivedFromTheCounters(long requests, long pending, boolean cancelled, boolean byXai,
			BatchStatus expected) {
		assertThat(XaiApi.status(requests, pending, cancelled, byXai)).isEqualTo(expected);
	}

}
