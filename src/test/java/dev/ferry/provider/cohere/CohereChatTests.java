package dev.ferry.provider.cohere;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import dev.ferry.provider.cohere.CohereChat.UnmappableException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * OpenAI chat requests become Cohere v2 chat bodies and Cohere responses become OpenAI
 * completions; what has no Cohere equal is refused by name, never dropped.
 */
class CohereChatTests {

	private final JsonMapper mapper = JsonMapper.builder().build();

	private final CohereChat chat = new CohereChat(this.mapper);

	@Test
	void translatesARequestIntoCoheresShape() {
		JsonNode cohere = this.chat.request(this.mapper.readTree("""
				{"messages":[{"role":"developer","content":"Be brief."},
				  {"role":"user","name":"ann","content":[{"type":"text","text":"Look:"},
				    {"type":"image_url","image_url":{"url":"https://example.com/a.png"}}]}],
				 "max_completion_tokens":64,"temperature":0.2,"top_p":0.9,"seed":7,"stop":"END",
				 "frequency_penalty":0.1,"presence_penalty":0.2,"logprobs":false,"n":1,"stream":false,
				 "tools":[{"type":"function","function":{"name":"f","parameters":{"type":"object"}}}],
				 "tool_choice":"required",
				 "response_format":{"type":"json_schema","json_schema":{"name":"x","schema":{"type":"object"}}}}"""));
		assertThat(cohere).isEqualTo(this.mapper.readTree("""
				{"max_tokens":64,"temperature":0.2,"p":0.9,"seed":7,"frequency_penalty":0.1,"presence_penalty":0.2,
				 "logprobs":false,
				 "messages":[{"role":"system","content":[{"type":"text","text":"Be brief."}]},
				  {"role":"user","content":[{"type":"text","text":"Look:"},
				    {"type":"image_url","image_url":"https://example.com/a.png"}]}],
				 "stop_sequences":["END"],
				 "tools":[{"type":"function","function":{"name":"f","parameters":"{\\"type\\":\\"object\\"}"}}],
				 "tool_choice":"REQUIRED",
				 "response_format":{"type":"json_object","json_schema":{"type":"object"}}}"""));
	}

	@ParameterizedTest
	@CsvSource(delimiter = '|', value = {
			"{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"logit_bias\":{}}|logit_bias",
			"{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"n\":2}|n: Cohere returns one choice",
			"{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"stream\":true}|stream",
			"{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"tool_choice\":{\"type\":\"function\"}}|tool_choice",
			"{\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"input_audio\"}]}]}|content part 'input_audio'",
			"{\"messages\":[{\"role\":\"function\",\"content\":\"x\"}]}|role 'function'", "{\"messages\":[]}|messages",
			"{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"response_format\":{\"type\":\"grammar\"}}|response_format" })
	void refusesWhatCohereHasNoEqualFor(String body, String named) {
		assertThatThrownBy(() -> this.chat.request(this.mapper.readTree(body))).isInstanceOf(UnmappableException.class)
			.hasMessageContaining(named);
	}

	@Test
	void translatesAResponseIntoACompletion() {
		JsonNode completion = this.chat.completion(this.mapper.readTree(
				"""
						{"id":"r1","finish_reason":"MAX_TOKENS","message":{"role":"assistant",
						  "content":[{"type":"text","text":"Hel"},{"type":"text","text":"lo"}]},
						 "usage":{"billed_units":{"input_tokens":1,"output_tokens":1},"tokens":{"input_tokens":5,"output_tokens":2}}}"""),
				"command-a", 1_700_000_000L);
		assertThat(this.mapper.readTree(completion.toString())).as("re-read, so numbers compare by value")
			.isEqualTo(this.mapper.readTree("""
					{"id":"r1","object":"chat.completion","created":1700000000,"model":"command-a",
					 "choices":[{"index":0,"message":{"role":"assistant","content":"Hello"},"finish_reason":"length",
					   "logprobs":null}],
					 "usage":{"prompt_tokens":5,"completion_tokens":2,"total_tokens":7}}"""));
	}

	@Test
	void keepsToolCallsAndMapsTheirFinishReason() {
		JsonNode completion = this.chat.completion(this.mapper.readTree("""
				{"id":"r2","finish_reason":"TOOL_CALL","message":{"role":"assistant","tool_plan":"call f",
				  "tool_calls":[{"id":"c1","type":"function","function":{"name":"f","arguments":"{}"}}]}}"""),
				"command-a", 1L);
		assertThat(completion.at("/choices/0/message/content").isNull()).isTrue();
		assertThat(completion.at("/choices/0/message/tool_calls/0/function/name").asString()).isEqualTo("f");
		assertThat(completion.at("/choices/0/finish_reason").asString()).isEqualTo("tool_calls");
	}

	@ParameterizedTest
	@ValueSource(strings = { "COMPLETE:stop", "STOP_SEQUENCE:stop", "ERROR_TOXIC:content_filter" })
	void mapsFinishReasons(String pair) {
		String[] parts = pair.split(":");
		JsonNode completion = this.chat.completion(
				this.mapper.readTree("{\"id\":\"r\",\"finish_reason\":\"" + parts[0] + "\",\"message\":{}}"), "m", 1L);
		assertThat(completion.at("/choices/0/finish_reason").asString()).isEqualTo(parts[1]);
	}

	@Test
	void aFailedGenerationIsNoCompletion() {
		assertThat(this.chat.completion(this.mapper.readTree("{\"id\":\"r\",\"finish_reason\":\"ERROR\"}"), "m", 1L))
			.isNull();
	}

	@Test
	void embeddingRequestsAreOneTextEach() {
		CohereEmbeddings embeddings = new CohereEmbeddings(this.mapper);
		assertThat(embeddings.text(this.mapper.readTree("{\"input\":\"hi\",\"encoding_format\":\"float\"}")))
			.isEqualTo("hi");
		assertThat(embeddings.text(this.mapper.readTree("{\"input\":[\"one\"]}"))).isEqualTo("one");
		assertThatThrownBy(() -> embeddings.text(this.mapper.readTree("{\"input\":[\"a\",\"b\"]}")))
			.hasMessageContaining("one text per request");
		assertThatThrownBy(() -> embeddings.text(this.mapper.readTree("{\"input\":\"a\",\"dimensions\":8}")))
			.hasMessageContaining("dimensions");
		assertThatThrownBy(
				() -> embeddings.text(this.mapper.readTree("{\"input\":\"a\",\"encoding_format\":\"base64\"}")))
			.hasMessageContaining("accepted: float");
	}

}
