package dev.ferry.provider.openai;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import dev.ferry.batch.Batch;
import dev.ferry.batch.BatchStatus;
import dev.ferry.batch.RequestCounts;

import static org.assertj.core.api.Assertions.assertThat;

class OpenAiWireTests {

	private final JsonMapper mapper = JsonMapper.builder().build();

	@Test
	void readsEveryFieldOfAnOpenAiBatch() {
		Batch batch = OpenAiWire.batchFromWire("openai", json("""
				{"id":"batch_1","object":"batch","endpoint":"/v1/chat/completions","model":"gpt-4o",
				 "errors":{"object":"list","data":[{"code":"invalid_json_line","message":"bad","param":null,"line":3}]},
				 "input_file_id":"file-in","completion_window":"24h","status":"failed",
				 "output_file_id":"file-out","error_file_id":"file-err","created_at":100,"in_progress_at":101,
				 "expires_at":200,"finalizing_at":102,"completed_at":103,"failed_at":104,"expired_at":105,
				 "cancelling_at":106,"cancelled_at":107,"request_counts":{"total":10,"completed":7,"failed":2},
				 "usage":{"input_tokens":5},"metadata":{"team":"a"}}
				"""), null);
		assertThat(batch.status()).isEqualTo(BatchStatus.FAILED);
		assertThat(batch.requestCounts()).isEqualTo(new RequestCounts(10, 7, 2, 7, 0, 0, 1));
		assertThat(batch.times().cancelledAt()).isEqualTo(107L);
		assertThat(batch.errors()).singleElement().satisfies((error) -> {
			assertThat(error.code()).isEqualTo("invalid_json_line");
			assertThat(error.line()).isEqualTo(3L);
		});
		assertThat(batch.metadata()).containsEntry("team", "a");
		assertThat(batch.usage().path("input_tokens").asInt()).isEqualTo(5);
	}

	@Test
	void normalisesCapitalisedStatusesIsoTimestampsAndNullCounts() {
		Batch batch = OpenAiWire.batchFromWire("azure", json("""
				{"id":"batch_1","endpoint":"/chat/completions","status":"Validating",
				 "created_at":"2024-08-20T18:37:24Z","request_counts":{"total":null,"completed":null,"failed":null}}
				"""), null);
		assertThat(batch.status()).isEqualTo(BatchStatus.VALIDATING);
		assertThat(batch.processingStatus()).isEqualTo("Validating");
		assertThat(batch.times().createdAt()).isEqualTo(1724179044L);
		assertThat(batch.requestCounts()).isEqualTo(RequestCounts.NONE);
	}

	@Test
	void mapsUpstreamErrorsKeepingStatusAndFields() {
		OpenAiUpstreamErrors errors = new OpenAiUpstreamErrors("openai", this.mapper);
		var error = errors.parse(429,
				"{\"error\":{\"message\":\"slow down\",\"type\":\"rate_limit_error\",\"param\":null,\"code\":\"rate\"}}");
		assertThat(error.status()).isEqualTo(429);
		assertThat(error.type()).isEqualTo("rate_limit_error");
		assertThat(error.code()).isEqualTo("rate");
		assertThat(error.getMessage()).isEqualTo("slow down");
		assertThat(error.provider()).isEqualTo("openai");
		var html = errors.parse(502, "<html>Bad gateway</html>");
		assertThat(html.status()).isEqualTo(502);
		assertThat(html.type()).isEqualTo("api_error");
		assertThat(html.getMessage()).isEqualTo("provider 'openai' answered 502: <html>Bad gateway</html>");
	}

	private JsonNode json(String text) {
		return this.mapper.readTree(text);
	}

}
