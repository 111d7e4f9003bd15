package dev.ferry.provider.cohere;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import dev.ferry.batch.BatchStatus;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every status of Cohere's batches ({@code BATCH_STATUS_*}) and embed jobs maps onto
 * OpenAI's.
 */
class CohereStatusTests {

	@ParameterizedTest
	@CsvSource({ "BATCH_STATUS_UNSPECIFIED, VALIDATING", "BATCH_STATUS_QUEUED, VALIDATING",
			"BATCH_STATUS_IN_PROGRESS, IN_PROGRESS", "BATCH_STATUS_CANCELING, CANCELLING",
			"BATCH_STATUS_COMPLETED, COMPLETED", "BATCH_STATUS_FAILED, FAILED", "BATCH_STATUS_CANCELED, CANCELLED",
			"BATCH_STATUS_SOMETHING_NEW, IN_PROGRESS" })
	void everyBatchStatusMapsOntoOpenAis(String cohere, BatchStatus openAi) {
		assertThat(CohereApi.batchStatus(cohere)).isEqualTo(openAi);
	}

	@ParameterizedTest
	@CsvSource({ "processing, IN_PROGRESS", "complete, COMPLETED", "cancelling, CANCELLING", "cancelled, CANCELLED",
			"failed, FAILED" })
	void everyEmbedJobStatusMapsOntoOpenAis(String cohere, BatchStatus openAi) {
		assertThat(CohereApi.embedStatus(cohere)).isEqualTo(openAi);
	}

}
