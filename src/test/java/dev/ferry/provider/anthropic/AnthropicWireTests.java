package dev.ferry.provider.anthropic;

import java.util.Map;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import dev.ferry.batch.Batch;
import dev.ferry.batch.BatchPage;
import dev.ferry.batch.BatchStatus;
import dev.ferry.batch.RequestCounts;
import dev.ferry.provider.anthropic.KeptBatches.KeptBatch;
import dev.ferry.support.AnthropicJson;

import static org.assertj.core.api.Assertions.assertThat;

class AnthropicWireTests {

	private static final AnthropicWire.Ids IDS = new AnthropicWire.Ids("batch_1", "file-out", "file-err");

	private final JsonMapper mapper = JsonMapper.builder().build();

	@ParameterizedTest(name = "{0}, cancel asked: {1}, expired: {2} -> {3}")
	@CsvSource({ "in_progress, false, 0, IN_PROGRESS", "canceling, true, 0, CANCELLING", "ended, true, 0, CANCELLED",
			"ended, true, 3, CANCELLED", "ended, false, 3, EXPIRED", "ended, false, 0, COMPLETED" })
	void mapsEveryProcessingStatusOntoOpenAisVocabulary(String processingStatus, boolean cancelAsked, long expired,
			BatchStatus expected) {
		assertThat(AnthropicWire.status(processingStatus, cancelAsked ? 1L : null, expired)).isEqualTo(expected);
		Batch batch = AnthropicWire.batchFromWire("anthropic",
				json(AnthropicJson.messageBatch(processingStatus, cancelAsked, expired)), null, IDS);
		assertThat(batch.status()).isEqualTo(expected);
		assertThat(batch.processingStatus()).isEqualTo(processingStatus);
		assertThat(batch.status().isTerminal()).isEqualTo(processingStatus.equals("ended"));
	}

	@Test
	void countsEveryRequestAndFailsTheOnesThatDidNotSucceed() {
		Batch batch = AnthropicWire.batchFromWire("anthropic", json("""
				{"id":"msgbatch_1","type":"message_batch","processing_status":"ended",
				 "request_counts":{"processing":0,"succeeded":5,"errored":2,"canceled":1,"expired":0},
				 "created_at":"2024-08-20T18:37:24.100435Z","expires_at":"2024-08-21T18:37:24.100435Z",
				 "ended_at":"2024-08-20T18:40:00Z","cancel_initiated_at":null,"archived_at":null,
				 "results_url":"https://api.anthropic.com/v1/messages/batches/msgbatch_1/results"}
				"""), new KeptBatch(Map.of("team", "a"), "/v1/chat/completions", "file-in", "claude-x", null), IDS);
		assertThat(batch.requestCounts()).isEqualTo(new RequestCounts(8, 5, 3, 5, 0, 1, 0));
		assertThat(batch.times().createdAt()).isEqualTo(1724179044L);
		assertThat(batch.times().inProgressAt()).isEqualTo(1724179044L);
		assertThat(batch.times().expiresAt()).isEqualTo(1724265444L);
		assertThat(batch.times().completedAt()).isEqualTo(1724179200L);
		assertThat(batch.times().cancelledAt()).isNull();
		assertThat(batch.id()).isEqualTo("batch_1");
		assertThat(batch.endpoint()).isEqualTo("/v1/chat/completions");
		assertThat(batch.inputFileId()).isEqualTo("file-in");
		assertThat(batch.model()).isEqualTo("claude-x");
		assertThat(batch.outputFileId()).isEqualTo("file-out");
		assertThat(batch.errorFileId()).isEqualTo("file-err");
		assertThat(batch.completionWindow()).isEqualTo("24h");
		assertThat(batch.resultsUrl()).endsWith("/msgbatch_1/results");
		assertThat(batch.metadata()).containsEntry("team", "a");
	}

	@Test
	void givesNoResultFilesBeforeTheBatchHasEndedAndOnlyTheFilesThatHaveLines() {
		Batch running = AnthropicWire.batchFromWire("anthropic",
				json(AnthropicJson.messageBatch("in_progress", false, 0)), null, IDS);
		assertThat(running.outputFileId()).isNull();
		assertThat(running.errorFileId()).isNull();
		assertThat(running.endpoint()).isEqualTo("/v1/messages");
		Batch allSucceeded = AnthropicWire.batchFromWire("anthropic",
				json(AnthropicJson.messageBatch("ended", false, 0)), null, IDS);
		assertThat(allSucceeded.outputFileId()).isEqualTo("file-out");
		assertThat(allSucceeded.errorFileId()).isNull();
	}

	@Test
	void putsTheEndTimeWhereTheStatusSays() {
		Batch cancelled = AnthropicWire.batchFromWire("anthropic", json(AnthropicJson.messageBatch("ended", true, 0)),
				null, IDS);
		assertThat(cancelled.times().cancelledAt()).isEqualTo(cancelled.times().createdAt() + 60);
		assertThat(cancelled.times().cancellingAt()).isEqualTo(cancelled.times().createdAt() + 30);
		assertThat(cancelled.times().completedAt()).isNull();
		Batch expired = AnthropicWire.batchFromWire("anthropic", json(AnthropicJson.messageBatch("ended", false, 2)),
				null, IDS);
		assertThat(expired.times().expiredAt()).isEqualTo(expired.times().createdAt() + 60);
		assertThat(expired.requestCounts().expired()).isEqualTo(2);
	}

	@Test
	void readsAPageWithItsCursors() {
		BatchPage page = AnthropicWire.pageFromWire("anthropic",
				json("{\"data\":[" + AnthropicJson.messageBatch("ended", false, 0)
						+ "],\"has_more\":true,\"first_id\":\"msgbatch_x\",\"last_id\":\"msgbatch_x\"}"),
				Map.of("msgbatch_x", new KeptBatch(Map.of("k", "v"), "/v1/messages", null, null, null)),
				(id) -> new AnthropicWire.Ids("batch_for_" + id, "file-out", "file-err"));
		assertThat(page.hasMore()).isTrue();
		assertThat(page.lastId()).isEqualTo("batch_for_msgbatch_x");
		assertThat(page.data()).singleElement()
			.satisfies((batch) -> assertThat(batch.metadata()).containsEntry("k", "v"));
	}

	private JsonNode json(String text) {
		return this.mapper.readTree(text);
	}

}
