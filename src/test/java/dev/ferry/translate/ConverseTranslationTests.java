package dev.ferry.translate;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import dev.ferry.translate.ChatToMessages.TranslationException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * OpenAI chat bodies into Bedrock Converse requests (system, turns, images, tools and
 * their results, inference settings) and Converse responses back into chat completions;
 * what Converse has no equal for is refused by name.
 */
class ConverseTranslationTests {

	private final JsonMapper mapper = JsonMapper.builder().build();

	private final ChatToConverse toConverse = new ChatToConverse(this.mapper);

	private final ConverseToChat toChat = new ConverseToChat(this.mapper);

	@Test
	void turnsSystemImagesAndInferenceSettings() {
		JsonNode request = this.toConverse.translate(json("""
				{"model":"amazon.nova-lite-v1:0","messages":[{"role":"system","content":"Be brief."},
				 {"role":"user","content":[{"type":"text","text":"What is it?"},
				  {"type":"image_url","image_url":{"url":"data:image/jpg;base64,AAAA"}}]},
				 {"role":"assistant","content":"A cat."},{"role":"user","content":"Sure?"}],
				 "max_completion_tokens":64,"temperature":0.5,"top_p":0.9,"stop":"END","n":1,"stream":false}"""));
		assertThat(request).isEqualTo(json("""
				{"system":[{"text":"Be brief."}],
				 "messages":[{"role":"user","content":[{"text":"What is it?"},
				   {"image":{"format":"jpeg","source":{"bytes":"AAAA"}}}]},
				  {"role":"assistant","content":[{"text":"A cat."}]},{"role":"user","content":[{"text":"Sure?"}]}],
				 "inferenceConfig":{"maxTokens":64,"temperature":0.5,"topP":0.9,"stopSequences":["END"]}}"""));
	}

	@Test
	void toolsCallsAndResults() {
		JsonNode request = this.toConverse.translate(json("""
				{"messages":[{"role":"user","content":"Weather?"},
				 {"role":"assistant","content":null,"tool_calls":[{"id":"t1","type":"function",
				  "function":{"name":"weather","arguments":"{\\"city\\":\\"Paris\\"}"}}]},
				 {"role":"tool","tool_call_id":"t1","content":"{\\"celsius\\":18}"}],
				 "tools":[{"type":"function","function":{"name":"weather","parameters":{"type":"object"}}}],
				 "tool_choice":"required"}"""));
		assertThat(request.path("messages")).isEqualTo(
				json("""
						[{"role":"user","content":[{"text":"Weather?"}]},
						 {"role":"assistant","content":[{"toolUse":{"toolUseId":"t1","name":"weather","input":{"city":"Paris"}}}]},
						 {"role":"user","content":[{"toolResult":{"toolUseId":"t1","content":[{"json":{"celsius":18}}]}}]}]"""));
		assertThat(request.path("toolConfig")).isEqualTo(json("""
				{"tools":[{"toolSpec":{"name":"weather","inputSchema":{"json":{"type":"object"}}}}],
				 "toolChoice":{"any":{}}}"""));
	}

	@Test
	void whatConverseHasNoEqualForIsRefusedByName() {
		assertThatThrownBy(() -> this.toConverse.translate(json("""
				{"messages":[{"role":"user","content":"x"}],"response_format":{"type":"json_object"},"seed":1}""")))
			.isInstanceOf(TranslationException.class)
			.hasMessageStartingWith("unsupported parameters response_format, seed: Bedrock's Converse has no equal");
		assertThatThrownBy(() -> this.toConverse.translate(
				json("""
						{"messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"https://x/y.png"}}]}]}""")))
			.hasMessageContaining("messages[0].content[0].image_url.url");
		assertThatThrownBy(
				() -> this.toConverse.translate(json("{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"n\":2}")))
			.hasMessageContaining("n:");
	}

	@Test
	void aResponseBecomesACompletion() {
		JsonNode completion = this.toChat.completion(json("""
				{"output":{"message":{"role":"assistant","content":[{"text":"It is "},{"text":"18C."},
				  {"toolUse":{"toolUseId":"t2","name":"weather","input":{"city":"Rome"}}}]}},
				 "stopReason":"tool_use","usage":{"inputTokens":10,"outputTokens":5,"totalTokens":15,
				  "cacheReadInputTokens":4}}"""), "bedrock-q1", "amazon.nova-lite-v1:0", 1700000000);
		assertThat(json(completion.toString())).isEqualTo(json("""
				{"id":"bedrock-q1","object":"chat.completion","created":1700000000,"model":"amazon.nova-lite-v1:0",
				 "choices":[{"index":0,"message":{"role":"assistant","content":"It is 18C.","tool_calls":[
				  {"id":"t2","type":"function","function":{"name":"weather","arguments":"{\\"city\\":\\"Rome\\"}"}}]},
				  "logprobs":null,"finish_reason":"tool_calls"}],
				 "usage":{"prompt_tokens":10,"completion_tokens":5,"total_tokens":15,
				  "prompt_tokens_details":{"cached_tokens":4}}}"""));
	}

	@ParameterizedTest
	@CsvSource({ "end_turn, stop", "stop_sequence, stop", "max_tokens, length", "tool_use, tool_calls",
			"guardrail_intervened, content_filter", "content_filtered, content_filter" })
	void stopReasons(String converse, String openAi) {
		assertThat(ConverseToChat.finishReason(converse)).isEqualTo(openAi);
	}

	private JsonNode json(String text) {
		return this.mapper.readTree(text);
	}

}
