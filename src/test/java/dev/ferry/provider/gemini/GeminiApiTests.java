package dev.ferry.provider.gemini;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import dev.ferry.batch.BatchStatus;
import dev.ferry.batch.ProviderDescriptor;
import dev.ferry.config.ProviderProperties;
import dev.ferry.provider.jobs.JobClient;
import dev.ferry.provider.jobs.JobState;
import dev.ferry.provider.jobs.ResultLine;

import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import org.springframework.web.reactive.function.client.WebClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Gemini's batch objects read as OpenAI's: both state vocabularies, the int64 counters, a
 * failed operation's error, the 48-hour expiry, and results given inline rather than in a
 * responses file.
 */
class GeminiApiTests {

	private final JsonMapper mapper = JsonMapper.builder().build();

	private final GeminiApi api = new GeminiApi(
			new JobClient("gemini", WebClient.create("http://127.0.0.1:9"),
					new Binder(new MapConfigurationPropertySource(Map.of("api-key", "k"))).bindOrCreate("",
							ProviderProperties.class),
					ProviderDescriptor.Auth.X_GOOG_API_KEY, this.mapper),
			this.mapper, 1 << 20);

	@ParameterizedTest
	@CsvSource({ "BATCH_STATE_PENDING, validating", "JOB_STATE_PENDING, validating", "JOB_STATE_QUEUED, validating",
			"BATCH_STATE_RUNNING, in_progress", "JOB_STATE_RUNNING, in_progress", "JOB_STATE_PAUSED, in_progress",
			"BATCH_STATE_SUCCEEDED, completed", "JOB_STATE_SUCCEEDED, completed",
			"JOB_STATE_PARTIALLY_SUCCEEDED, completed", "BATCH_STATE_FAILED, failed", "JOB_STATE_FAILED, failed",
			"JOB_STATE_CANCELLING, cancelling", "BATCH_STATE_CANCELLED, cancelled", "JOB_STATE_CANCELLED, cancelled",
			"BATCH_STATE_EXPIRED, expired", "JOB_STATE_EXPIRED, expired", "BATCH_STATE_UNSPECIFIED, in_progress",
			"SOMETHING_NEW, in_progress" })
	void readsBothStateVocabularies(String state, String status) {
		assertThat(GoogleJobStates.status(state).wireName()).isEqualTo(status);
	}

	@Test
	void readsTheCountersTimesAndExpiryOfABatch() {
		JobState state = this.api.state(
				json("""
						{"name":"batches/abc","metadata":{"@type":"type.googleapis.com/google.ai.generativelanguage.v1main.GenerateContentBatch",
						 "model":"models/gemini-2.5-flash","createTime":"2026-11-29T10:00:00Z","updateTime":"2026-11-29T10:05:00Z",
						 "state":"BATCH_STATE_RUNNING","batchStats":{"requestCount":"10","successfulRequestCount":"4",
						 "failedRequestCount":"1","pendingRequestCount":"5"}}}"""));
		assertThat(this.api.id(json("{\"name\":\"batches/abc\"}"))).isEqualTo("abc");
		assertThat(state.status()).isEqualTo(BatchStatus.IN_PROGRESS);
		assertThat(state.nativeStatus()).isEqualTo("BATCH_STATE_RUNNING");
		assertThat(state.counts().total()).isEqualTo(10);
		assertThat(state.counts().completed()).isEqualTo(4);
		assertThat(state.counts().failed()).isEqualTo(1);
		assertThat(state.model()).isEqualTo("gemini-2.5-flash");
		assertThat(state.endpoint()).isEqualTo("/v1/chat/completions");
		long created = 1_795_946_400L;
		assertThat(state.times().createdAt()).isEqualTo(created);
		assertThat(state.times().expiresAt()).isEqualTo(created + 48 * 3600);
	}

	@Test
	void aFailedOperationCarriesItsError() {
		JobState state = this.api.state(json("""
				{"name":"batches/abc","done":true,"error":{"code":3,"message":"input file is empty",
				 "status":"INVALID_ARGUMENT"},"metadata":{"state":"BATCH_STATE_FAILED",
				 "createTime":"2026-11-29T10:00:00Z","endTime":"2026-11-29T10:01:00Z"}}"""));
		assertThat(state.status()).isEqualTo(BatchStatus.FAILED);
		assertThat(state.times().failedAt()).isEqualTo(1_795_946_460L);
		assertThat(state.errors()).singleElement().satisfies((error) -> {
			assertThat(error.code()).isEqualTo("INVALID_ARGUMENT");
			assertThat(error.message()).isEqualTo("input file is empty");
		});
	}

	@Test
	void readsInlineResponsesByTheirKeys() {
		List<ResultLine> results = this.api.results(json("""
				{"name":"batches/abc","done":true,"metadata":{"model":"models/gemini-2.5-flash",
				 "endTime":"2026-11-29T10:01:00Z","state":"BATCH_STATE_SUCCEEDED"},
				 "response":{"inlinedResponses":{"inlinedResponses":[
				  {"response":{"candidates":[{"content":{"parts":[{"text":"hi"}]},"finishReason":"STOP"}]},
				   "metadata":{"key":"k1"}},
				  {"error":{"code":400,"message":"bad","status":"INVALID_ARGUMENT"},"metadata":{"key":"k2"}}]}}}"""))
			.collectList()
			.block();
		assertThat(results).hasSize(2);
		assertThat(results.get(0).succeeded()).isTrue();
		assertThat(results.get(0).line().path("custom_id").asString()).isEqualTo("k1");
		assertThat(results.get(0).line().at("/response/body/choices/0/message/content").asString()).isEqualTo("hi");
		assertThat(results.get(0).line().at("/response/body/created").asLong()).isEqualTo(1_795_946_460L);
		assertThat(results.get(1).succeeded()).isFalse();
		assertThat(results.get(1).line().at("/error/code").asString()).isEqualTo("INVALID_ARGUMENT");
		assertThat(results.get(1).line().path("custom_id").asString()).isEqualTo("k2");
	}

	private JsonNode json(String text) {
		return this.mapper.readTree(text);
	}

}
