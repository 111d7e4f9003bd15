package dev.ferry.batch;

import java.util.Set;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class CreateBatchBodyTests {

	private final JsonMapper mapper = JsonMapper.builder().build();

	@Test
	void keepsUnknownFieldsAndDropsFerryFieldsFromThePassthrough() {
		CreateBatchBody body = parse(
				"""
						{"input_file_id":"file-1","endpoint":"/v1/chat/completions","completion_window":"24h",
						 "model":"openai/gpt-4o","provider":"openai","output_expires_after":{"anchor":"created_at","seconds":3600}}
						""");
		assertThat(body.model()).isEqualTo("openai/gpt-4o");
		assertThat(body.provider()).isEqualTo("openai");
		assertThat(body.passthrough().has("output_expires_after")).isTrue();
		assertThat(body.passthrough().has("model")).isFalse();
		assertThat(body.passthrough().has("provider")).isFalse();
	}

	@Test
	void defaultsTheCompletionWindowWhenTheDialectHasOne() {
		CreateBatchBody body = CreateBatchBody.parse(json("{\"input_file_id\":\"f\",\"endpoint\":\"/v1/embeddings\"}"),
				"24h");
		assertThat(body.completionWindow()).isEqualTo("24h");
	}

	@Test
	void refusesAMissingCompletionWindowWhenThereIsNoDefault() {
		ApiError error = catchThrowableOfType(ApiError.class,
				() -> CreateBatchBody.parse(json("{\"input_file_id\":\"f\",\"endpoint\":\"/v1/embeddings\"}"), null));
		assertThat(error.param()).isEqualTo("completion_window");
		assertThat(error.getMessage()).isEqualTo("completion_window: missing (expected: '24h')");
	}

	@Test
	void refusesAMissingOrUnknownEndpointListingTheAcceptedOnes() {
		assertInvalid("{\"input_file_id\":\"f\",\"completion_window\":\"24h\"}", "endpoint", "endpoint: missing");
		ApiError error = invalid("{\"input_file_id\":\"f\",\"endpoint\":\"/v1/audio\",\"completion_window\":\"24h\"}");
		assertThat(error.getMessage()).startsWith("endpoint: '/v1/audio' (expected one of: ")
			.contains("/v1/chat/completions", "/v1/messages");
	}

	@Test
	void requiresExactlyOneOfInputFileAndRequests() {
		String neither = "{\"endpoint\":\"/v1/embeddings\",\"completion_window\":\"24h\"}";
		String both = "{\"endpoint\":\"/v1/embeddings\",\"completion_window\":\"24h\",\"input_file_id\":\"f\","
				+ "\"requests\":[{\"custom_id\":\"a\",\"params\":{}}]}";
		assertThat(invalid(neither).getMessage()).contains("exactly one of 'input_file_id'");
		assertThat(invalid(both).getMessage()).contains("exactly one of 'input_file_id'");
	}

	@Test
	void refusesEmptyOrNonArrayRequests() {
		assertInvalid("{\"endpoint\":\"/v1/embeddings\",\"requests\":[]}", "requests",
				"requests: empty (expected: at least one request)");
		assertInvalid("{\"endpoint\":\"/v1/embeddings\",\"requests\":{}}", "requests",
				"requests: expected an array of {custom_id, params|body}");
	}

	@Test
	void refusesMalformedMetadata() {
		String base = "{\"endpoint\":\"/v1/embeddings\",\"input_file_id\":\"f\",\"metadata\":";
		assertInvalid(base + "{\"k\":1}}", "metadata", "metadata.k: expected a string of at most 512 characters");
		StringBuilder many = new StringBuilder("{");
		for (int i = 0; i < 17; i++) {
			many.append(i == 0 ? "" : ",").append("\"k").append(i).append("\":\"v\"");
		}
		assertInvalid(base + many + "}}", "metadata", "metadata: 17 pairs (expected: at most 16)");
	}

	@Test
	void refusesNonStringFieldsAndNonObjectBodies() {
		assertInvalid("{\"endpoint\":42}", "endpoint", "endpoint: expected a string");
		assertThat(invalid("[1,2]").getMessage()).isEqualTo("body: expected a JSON object");
	}

	private void assertInvalid(String body, String param, String message) {
		ApiError error = invalid(body);
		assertThat(error.status()).isEqualTo(400);
		assertThat(error.param()).isEqualTo(param);
		assertThat(error.getMessage()).isEqualTo(message);
	}

	private ApiError invalid(String body) {
		return catchThrowableOfType(ApiError.class, () -> CreateBatchBody.parse(json(body), "24h"));
	}

	private CreateBatchBody parse(String body) {
		return CreateBatchBody.parse(json(body), null);
	}

	private JsonNode json(String text) {
		return this.mapper.readTree(text);
	}

	@Test
	void anUnknownModelPrefixStaysPartOfTheModel() {
		assertThat(ModelRef.parse("meta-llama/Llama-3", Set.of("openai", "sandbox")))
			.isEqualTo(new ModelRef(null, "meta-llama/Llama-3"));
		assertThat(ModelRef.parse("sandbox/echo", Set.of("openai", "sandbox")))
			.isEqualTo(new ModelRef("sandbox", "echo"));
		assertThatExceptionOfType(ApiError.class).isThrownBy(() -> CreateBatchBody.parse(json("{}"), null));
	}

}
