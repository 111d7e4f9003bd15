package dev.ferry.anthropic;

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

import static org.assertj.core.api.Assertions.assertThat;

class AnthropicWireTests {

	private final JsonMapper mapper = JsonMapper.builder().build();

	@ParameterizedTest(name = "{0}, cancel asked: {1}, expired: {2} -> {3}")
	@CsvSource({ "in_progress, false, 0, IN_PROGRESS", "canceling, true, 0, CANCELLING", "ended, true, 0, CANCELLED",
			"ended, true, 3, CANCELLED", "ended, false, 3, EXPIRED", "ended, false, 0, COMPLETED" })
	void mapsEveryProcessingStatusOntoOpenAisVocabulary(String processingStatus, boolean cancelAsked, long expired,
			BatchStatus expected) {
		assertThat(AnthropicWire.status(processingStatus, cancelAsked ? 1L : null, expired)).isEqualTo(expected);
		Batch batch = AnthropicWire.batchFromWire("anthropic",
				json(messageBatch(processingStatus, cancelAsked, expired)), null, null);
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
				"""), Map.of("team", "a"), null);
		assertThat(batch.requestCounts()).isEqualTo(new RequestCounts(8, 5, 3, 5, 0, 1, 0));
		assertThat(batch.times().createdAt()).isEqualTo(1724179044L);
		assertThat(batch.times().inProgressAt()).isEqualTo(1724179044L);
		assertThat(batch.times().expiresAt()).isEqualTo(1724265444L);
		assertThat(batch.times().completedAt()).isEqualTo(1724179200L);
		assertThat(batch.times().cancelledAt()).isNull();
		assertThat(batch.endpoint()).isEqualTo("/v1/messages");
		assertThat(batch.completionWindow()).isEqualTo("24h");
		assertThat(batch.resultsUrl()).endsWith("/msgbatch_1/results");
		assertThat(batch.metadata()).containsEntry("team", "a");
	}

	@Test
	void putsTheEndTimeWhereTheStatusSays() {
		Batch cancelled = AnthropicWire.batchFromWire("anthropic", json(messageBatch("ended", true, 0)), null, null);
		assertThat(cancelled.times().cancelledAt()).isEqualTo(cancelled.times().createdAt() + 60);
		assertThat(cancelled.times().cancellingAt()).isEqualTo(cancelled.times().createdAt() + 30);
		assertThat(cancelled.times().completedAt()).isNull();
		Batch expired = AnthropicWire.batchFromWire("anthropic", json(messageBatch("ended", false, 2)), null, null);
		assertThat(expired.times().expiredAt()).isEqualTo(expired.times().createdAt() + 60);
		assertThat(expired.requestCounts().expired()).isEqualTo(2);
	}

	@Test
	void readsAPageWithItsCursors() {
		BatchPage page = AnthropicWire.pageFromWire("anthropic",
				json("{\"data\":[" + messageBatch("ended", false, 0)
						+ "],\"has_more\":true,\"first_id\":\"msgbatch_x\",\"last_id\":\"msgbatch_x\"}"),
				Map.of("msgbatch_x", Map.of("k", "v")));
		assertThat(page.hasMore()).isTrue();
		assertThat(page.lastId()).isEqualTo("msgbatch_x");
		assertThat(page.data()).singleElement()
			.satisfies((batch) -> assertThat(batch.metadata()).containsEntry("k", "v"));
	}

	static String messageBatch(String processingStatus, boolean cancelAsked, long expired) {
		boolean ended = processingStatus.equals("ended");
		return """
				{"id":"msgbatch_x","type":"message_batch","processing_status":"%s",
				 "request_counts":{"processing":%d,"succeeded":%d,"errored":0,"canceled":0,"expired":%d},
				 "created_at":"2026-01-01T00:00:00Z","expires_at":"2026-01-02T00:00:00Z","ended_at":%s,
				 "cancel_initiated_at":%s,"archived_at":null,"results_url":%s}
				""".formatted(processingStatus, ended ? 0 : 4, ended ? 4 - expired : 0, expired,
				ended ? "\"2026-01-01T00:01:00Z\"" : "null", cancelAsked ? "\"2026-01-01T00:00:30Z\"" : "null",
				ended ? "\"https://api.anthropic.com/v1/messages/batches/msgbatch_x/results\"" : "null");
	}

	private JsonNode json(String text) {
		return this.mapper.readTree(text);
	}

}
