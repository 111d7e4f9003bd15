package dev.ferry.dialect.openai;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import dev.ferry.provider.openai.OpenAiWire;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Canonical batches and files written back as OpenAI's objects read as they were.
 */
class OpenAiObjectsTests {

	private final JsonMapper mapper = JsonMapper.builder().build();

	@Test
	void writesBatchesInOpenAiShapeWithNullsWhereOpenAiHasThem() {
		JsonNode original = json("""
				{"id":"batch_1","object":"batch","endpoint":"/v1/embeddings","errors":null,"input_file_id":"file-in",
				 "completion_window":"24h","status":"in_progress","output_file_id":null,"error_file_id":null,
				 "created_at":100,"in_progress_at":101,"expires_at":200,"finalizing_at":null,"completed_at":null,
				 "failed_at":null,"expired_at":null,"cancelling_at":null,"cancelled_at":null,
				 "request_counts":{"total":3,"completed":1,"failed":0},"metadata":null}
				""");
		JsonNode written = OpenAiObjects.batchToWire(OpenAiWire.batchFromWire("sandbox", original, null));
		assertThat(this.mapper.writeValueAsString(written)).isEqualTo(this.mapper.writeValueAsString(original));
	}

	@Test
	void readsAndWritesFiles() {
		JsonNode original = json("""
				{"id":"file-1","object":"file","bytes":42,"created_at":100,"expires_at":300,"filename":"in.jsonl",
				 "purpose":"batch","status":"processed"}
				""");
		assertThat(
				this.mapper.writeValueAsString(OpenAiObjects.fileToWire(OpenAiWire.fileFromWire("openai", original))))
			.isEqualTo(this.mapper.writeValueAsString(original));
	}

	private JsonNode json(String text) {
		return this.mapper.readTree(text);
	}

}
