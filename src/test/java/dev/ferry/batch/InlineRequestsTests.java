package dev.ferry.batch;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;

import org.springframework.core.io.buffer.DataBuffer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class InlineRequestsTests {

	private final JsonMapper mapper = JsonMapper.builder().build();

	private final InlineRequests inline = new InlineRequests(this.mapper);

	@Test
	void writesOneBatchLinePerRequestWithTheModelFilledIn() {
		ArrayNode requests = array("""
				[{"custom_id":"a","params":{"messages":[]}},
				 {"custom_id":"b","body":{"model":"own","messages":[]},"method":"POST","url":"/v1/chat/completions"}]
				""");
		List<String> lines = this.inline.toJsonl(requests, "/v1/chat/completions", "gpt-4o")
			.map(InlineRequestsTests::text)
			.collectList()
			.block(Duration.ofSeconds(5));
		assertThat(lines).containsExactly(
				"{\"custom_id\":\"a\",\"method\":\"POST\",\"url\":\"/v1/chat/completions\",\"body\":{\"messages\":[],\"model\":\"gpt-4o\"}}\n",
				"{\"custom_id\":\"b\",\"method\":\"POST\",\"url\":\"/v1/chat/completions\",\"body\":{\"model\":\"own\",\"messages\":[]}}\n");
	}

	@Test
	void namesTheFirstBadRequestByIndex() {
		assertInvalid("[{\"custom_id\":\"a\",\"params\":{}},{\"params\":{}}]", "requests[1].custom_id",
				"requests[1].custom_id: missing (expected: a non-empty string)");
		assertInvalid("[{\"custom_id\":\"a\",\"params\":{}},{\"custom_id\":\"a\",\"params\":{}}]",
				"requests[1].custom_id", "requests[1].custom_id: 'a' is used twice (expected: unique ids)");
		assertInvalid("[{\"custom_id\":\"a\"}]", "requests[0]", "requests[0]: give exactly one of 'params' or 'body'");
		assertInvalid("[{\"custom_id\":\"a\",\"params\":[]}]", "requests[0]",
				"requests[0]: 'params'/'body' must be a JSON object");
		assertInvalid("[{\"custom_id\":\"a\",\"params\":{},\"url\":\"/v1/embeddings\"}]", "requests[0].url",
				"requests[0].url: '/v1/embeddings' (expected: the batch endpoint /v1/chat/completions)");
		assertInvalid("[{\"custom_id\":\"a\",\"params\":{},\"method\":\"GET\"}]", "requests[0].method",
				"requests[0].method: 'GET' (expected: POST)");
		assertInvalid("[\"x\"]", "requests[0]", "requests[0]: expected an object {custom_id, params|body}");
	}

	private void assertInvalid(String requests, String param, String message) {
		ApiError error = catchThrowableOfType(ApiError.class,
				() -> this.inline.toJsonl(array(requests), "/v1/chat/completions", null));
		assertThat(error.param()).isEqualTo(param);
		assertThat(error.getMessage()).isEqualTo(message);
	}

	private ArrayNode array(String json) {
		return (ArrayNode) this.mapper.readTree(json);
	}

	private static String text(DataBuffer buffer) {
		return buffer.toString(StandardCharsets.UTF_8);
	}

}
