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
 * Walks the mapping tables between OpenAI's shapes and Gemini's (the spec's §11.D): chat
 * bodies into {@code GenerateContentRequest}s with system prompts, images, tools, tool
 * results and structured output; {@code GenerateContentResponse}s back into chat
 * completions with tool calls, finish reasons and usage; embeddings both ways; and the
 * parameters Gemini has no equal for, refused by name.
 */
class GeminiTranslationTests {

	private final JsonMapper mapper = JsonMapper.builder().build();

	private final ChatToGemini toGemini = new ChatToGemini(this.mapper);

	private final GeminiToChat toChat = new GeminiToChat(this.mapper);

	@Test
	void systemPromptsBecomeTheSystemInstructionAndSamplingGoesInTheGenerationConfig() {
		JsonNode request = this.toGemini.chat(json("""
				{"model":"gemini-2.5-flash","messages":[{"role":"system","content":"Be brief."},
				 {"role":"developer","content":[{"type":"text","text":"Be kind."}]},
				 {"role":"user","content":"Hi"},{"role":"assistant","content":"Hello"},
				 {"role":"user","content":[{"type":"text","text":"And?"}]}],
				 "max_tokens":50,"stop":"END","temperature":0.7,"top_p":0.9,"n":1,"seed":7,
				 "presence_penalty":0.5,"frequency_penalty":0.25,"logprobs":true,"top_logprobs":3,
				 "stream":false,"store":false}
				"""));
		assertThat(request).isEqualTo(json("""
				{"systemInstruction":{"parts":[{"text":"Be brief."},{"text":"Be kind."}]},
				 "contents":[{"role":"user","parts":[{"text":"Hi"}]},{"role":"model","parts":[{"text":"Hello"}]},
				  {"role":"user","parts":[{"text":"And?"}]}],
				 "generationConfig":{"maxOutputTokens":50,"temperature":0.7,"topP":0.9,"candidateCount":1,"seed":7,
				  "presencePenalty":0.5,"frequencyPenalty":0.25,"logprobs":3,"stopSequences":["END"],
				  "responseLogprobs":true}}
				"""));
	}

	@Test
	void imagesGoInlineFromBase64DataUrls() {
		JsonNode request = this.toGemini.chat(json("""
				{"messages":[{"role":"user","content":[{"type":"text","text":"What is it?"},
				 {"type":"image_url","image_url":{"url":"data:image/png;base64,iVBORw0KGgo="}}]}]}
				"""));
		assertThat(request.at("/contents/0/parts")).isEqualTo(json("""
				[{"text":"What is it?"},{"inlineData":{"mimeType":"image/png","data":"iVBORw0KGgo="}}]
				"""));
		assertThatThrownBy(() -> this.toGemini.chat(json("""
				{"messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"https://x/y.png"}}]}]}
				"""))).isInstanceOf(TranslationException.class)
			.hasMessageContaining("messages[0].content[0].image_url.url")
			.hasMessageContaining("base64 data URL");
	}

	@Test
	void toolsToolCallsAndTheirResultsBecomeFunctionDeclarationsCallsAndResponses() {
		JsonNode request = this.toGemini.chat(
				json("""
						{"messages":[{"role":"user","content":"Weather in Paris and Rome?"},
						 {"role":"assistant","content":null,"tool_calls":[
						  {"id":"call_1","type":"function","function":{"name":"weather","arguments":"{\\"city\\":\\"Paris\\"}"}},
						  {"id":"call_2","type":"function","function":{"name":"weather","arguments":"{\\"city\\":\\"Rome\\"}"}}]},
						 {"role":"tool","tool_call_id":"call_1","content":"{\\"celsius\\":18}"},
						 {"role":"tool","tool_call_id":"call_2","content":"sunny"}],
						 "tools":[{"type":"function","function":{"name":"weather","description":"Weather now",
						  "parameters":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"],
						  "additionalProperties":false}}}],
						 "tool_choice":{"type":"function","function":{"name":"weather"}},"parallel_tool_calls":true}
						"""));
		assertThat(request.path("contents")).isEqualTo(json("""
				[{"role":"user","parts":[{"text":"Weather in Paris and Rome?"}]},
				 {"role":"model","parts":[{"functionCall":{"name":"weather","args":{"city":"Paris"},"id":"call_1"}},
				  {"functionCall":{"name":"weather","args":{"city":"Rome"},"id":"call_2"}}]},
				 {"role":"user","parts":[
				  {"functionResponse":{"name":"weather","id":"call_1","response":{"celsius":18}}},
				  {"functionResponse":{"name":"weather","id":"call_2","response":{"content":"sunny"}}}]}]
				"""));
		assertThat(request.path("tools")).isEqualTo(json("""
				[{"functionDeclarations":[{"name":"weather","description":"Weather now","parametersJsonSchema":
				 {"type":"object","properties":{"city":{"type":"string"}},"required":["city"],
				  "additionalProperties":false}}]}]
				"""));
		assertThat(request.path("toolConfig")).isEqualTo(json("""
				{"functionCallingConfig":{"mode":"ANY","allowedFunctionNames":["weather"]}}
				"""));
	}

	@ParameterizedTest
	@CsvSource({ "auto, AUTO", "none, NONE", "required, ANY" })
	void toolChoiceModes(String choice, String mode) {
		JsonNode request = this.toGemini
			.chat(json("{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"tool_choice\":\"" + choice + "\"}"));
		assertThat(request.at("/toolConfig/functionCallingConfig/mode").asString()).isEqualTo(mode);
	}

	@Test
	void structuredOutputAsksForJson() {
		JsonNode jsonObject = this.toGemini.chat(json("""
				{"messages":[{"role":"user","content":"x"}],"response_format":{"type":"json_object"}}"""));
		assertThat(jsonObject.path("generationConfig")).isEqualTo(json("{\"responseMimeType\":\"application/json\"}"));
		JsonNode schema = this.toGemini.chat(
				json("""
						{"messages":[{"role":"user","content":"x"}],"response_format":{"type":"json_schema",
						 "json_schema":{"name":"answer","strict":true,"schema":{"type":"object","properties":{"a":{"type":"integer"}}}}}}
						"""));
		assertThat(schema.path("generationConfig")).isEqualTo(json("""
				{"responseMimeType":"application/json",
				 "responseJsonSchema":{"type":"object","properties":{"a":{"type":"integer"}}}}"""));
	}

	@Test
	void parametersWithoutAGeminiEqualAreRefusedByName() {
		assertThatThrownBy(() -> this.toGemini.chat(json("""
				{"messages":[{"role":"user","content":"x"}],"logit_bias":{"1":2},"user":"u1"}""")))
			.isInstanceOf(TranslationException.class)
			.hasMessageStartingWith("unsupported parameters logit_bias, user: Gemini has no equal")
			.hasMessageContaining("accepted: messages");
		assertThatThrownBy(() -> this.toGemini.chat(json("""
				{"messages":[{"role":"user","content":"x"}],"stream":true}"""))).hasMessageContaining("stream");
		assertThatThrownBy(() -> this.toGemini.chat(json("""
				{"messages":[{"role":"user","content":"x"}],"parallel_tool_calls":false}""")))
			.hasMessageContaining("parallel_tool_calls");
		assertThatThrownBy(() -> this.toGemini.chat(json("""
				{"messages":[{"role":"tool","tool_call_id":"nope","content":"x"}]}""")))
			.hasMessageContaining("messages[0].tool_call_id: 'nope' answers no earlier assistant tool call");
		assertThatThrownBy(() -> this.toGemini.chat(json("""
				{"messages":[{"role":"user","content":"x"}],"tools":[{"type":"web_search"}]}""")))
			.hasMessageContaining("tools: type 'web_search'");
	}

	@Test
	void aResponseBecomesACompletionWithItsTextToolCallsAndUsage() {
		JsonNode completion = this.toChat.completion(json("""
				{"candidates":[{"index":0,"finishReason":"STOP","content":{"role":"model","parts":[
				  {"text":"thinking...","thought":true},{"text":"It is "},{"text":"18C."},
				  {"functionCall":{"name":"weather","args":{"city":"Paris"}}}]}}],
				 "usageMetadata":{"promptTokenCount":10,"candidatesTokenCount":5,"thoughtsTokenCount":3,
				  "cachedContentTokenCount":4,"totalTokenCount":18},
				 "modelVersion":"gemini-2.5-flash-001","responseId":"resp-1"}
				"""), "gemini-2.5-flash", 1700000000, "fallback");
		// Read back, so that numbers compare by value rather than by node type.
		assertThat(json(completion.toString())).isEqualTo(
				json("""
						{"id":"resp-1","object":"chat.completion","created":1700000000,"model":"gemini-2.5-flash-001",
						 "choices":[{"index":0,"message":{"role":"assistant","content":"It is 18C.","tool_calls":[
						  {"id":"call_0_0","type":"function","function":{"name":"weather","arguments":"{\\"city\\":\\"Paris\\"}"}}]},
						  "logprobs":null,"finish_reason":"tool_calls"}],
						 "usage":{"prompt_tokens":10,"completion_tokens":8,"total_tokens":18,
						  "prompt_tokens_details":{"cached_tokens":4},"completion_tokens_details":{"reasoning_tokens":3}}}
						"""));
	}

	@Test
	void aPromptBlockedBeforeAnyCandidateIsAContentFilterStop() {
		JsonNode completion = this.toChat.completion(json("""
				{"promptFeedback":{"blockReason":"SAFETY"},"usageMetadata":{"promptTokenCount":4,"totalTokenCount":4}}
				"""), "gemini-2.5-flash", 1, "gemini-q1");
		assertThat(completion.path("id").asString()).isEqualTo("gemini-q1");
		assertThat(completion.path("model").asString()).isEqualTo("gemini-2.5-flash");
		assertThat(completion.at("/choices/0/finish_reason").asString()).isEqualTo("content_filter");
		assertThat(completion.at("/choices/0/message/content").asString()).isEmpty();
	}

	@ParameterizedTest
	@CsvSource({ "STOP, false, stop", "STOP, true, tool_calls", "MAX_TOKENS, false, length",
			"SAFETY, false, content_filter", "RECITATION, false, content_filter", "OTHER, false, content_filter",
			"MALFORMED_FUNCTION_CALL, false, stop", "FINISH_REASON_UNSPECIFIED, false, stop" })
	void finishReasons(String gemini, boolean callsTools, String openAi) {
		assertThat(GeminiToChat.finishReason(gemini, callsTools)).isEqualTo(openAi);
	}

	@Test
	void embeddingsTakeOneTextAndComeBackAsAList() {
		assertThat(this.toGemini.embedding(json("""
				{"model":"gemini-embedding-001","input":["hello"],"dimensions":256,"encoding_format":"float"}""")))
			.isEqualTo(json("{\"content\":{\"parts\":[{\"text\":\"hello\"}]},\"outputDimensionality\":256}"));
		assertThatThrownBy(() -> this.toGemini.embedding(json("{\"input\":[\"a\",\"b\"]}")))
			.hasMessageContaining("one text per request");
		assertThatThrownBy(() -> this.toGemini.embedding(json("{\"input\":\"a\",\"encoding_format\":\"base64\"}")))
			.hasMessageContaining("encoding_format");
		// Read back, so that numbers compare by value rather than by node type.
		assertThat(json(this.toChat.embedding(json("{\"embedding\":{\"values\":[0.5,0.25]}}"), "gemini-embedding-001")
			.toString())).isEqualTo(json("""
					{"object":"list","data":[{"object":"embedding","index":0,"embedding":[0.5,0.25]}],
					 "model":"gemini-embedding-001","usage":{"prompt_tokens":0,"total_tokens":0}}"""));
	}

	@ParameterizedTest
	@CsvSource({ "400, 400", "3, 400", "5, 404", "8, 429", "13, 500", "14, 503" })
	void googleStatusCodesReadAsHttpStatuses(int code, int http) {
		assertThat(GeminiToChat.httpStatus(json("{\"code\":" + code + "}"))).isEqualTo(http);
	}

	private JsonNode json(String text) {
		return this.mapper.readTree(text);
	}

}
