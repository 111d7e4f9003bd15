package dev.ferry.translate;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import dev.ferry.batch.ApiError;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * Walks the request and result mapping tables between Anthropic and OpenAI.
 */
class TranslationTests {

	private final JsonMapper mapper = JsonMapper.builder().build();

	private final ChatToMessage toMessage = new ChatToMessage(this.mapper);

	@Test
	void hoistsTheSystemPromptAndMapsSamplingAndStops() {
		JsonNode chat = chat(
				"""
						{"model":"m","max_tokens":100,"system":[{"type":"text","text":"Be brief."},{"type":"text","text":"Be kind."}],
						 "temperature":0.5,"top_p":0.9,"stop_sequences":["END"],"metadata":{"user_id":"u1"},
						 "messages":[{"role":"user","content":"Hi"},{"role":"assistant","content":"Hello"}]}
						""");
		assertThat(chat.toString()).isEqualTo("{\"model\":\"m\",\"messages\":[{\"role\":\"system\",\"content\":"
				+ "\"Be brief.\\nBe kind.\"},{\"role\":\"user\",\"content\":\"Hi\"},{\"role\":\"assistant\","
				+ "\"content\":\"Hello\"}],\"max_completion_tokens\":100,\"temperature\":0.5,\"top_p\":0.9,"
				+ "\"stop\":[\"END\"],\"user\":\"u1\"}");
	}

	@Test
	void mapsContentBlocksImagesToolUsesAndToolResults() {
		JsonNode chat = chat(
				"""
						{"model":"m","max_tokens":10,"messages":[
						 {"role":"user","content":[{"type":"text","text":"Look"},
						   {"type":"image","source":{"type":"base64","media_type":"image/png","data":"AAA"}},
						   {"type":"image","source":{"type":"url","url":"https://x/y.png"}}]},
						 {"role":"assistant","content":[{"type":"text","text":"Calling"},
						   {"type":"tool_use","id":"tu_1","name":"lookup","input":{"q":"z"}}]},
						 {"role":"user","content":[{"type":"tool_result","tool_use_id":"tu_1","content":[{"type":"text","text":"42"}]}]}]}
						""");
		JsonNode messages = chat.path("messages");
		assertThat(messages.at("/0/content/0").toString()).isEqualTo("{\"type\":\"text\",\"text\":\"Look\"}");
		assertThat(messages.at("/0/content/1/image_url/url").asString()).isEqualTo("data:image/png;base64,AAA");
		assertThat(messages.at("/0/content/2/image_url/url").asString()).isEqualTo("https://x/y.png");
		assertThat(messages.at("/1/content").asString()).isEqualTo("Calling");
		assertThat(messages.at("/1/tool_calls/0").toString()).isEqualTo(
				"{\"id\":\"tu_1\",\"type\":\"function\",\"function\":{\"name\":\"lookup\",\"arguments\":\"{\\\"q\\\":\\\"z\\\"}\"}}");
		assertThat(messages.at("/2").toString())
			.isEqualTo("{\"role\":\"tool\",\"tool_call_id\":\"tu_1\",\"content\":\"42\"}");
	}

	@ParameterizedTest
	@CsvSource(delimiter = '|',
			value = { "{\"type\":\"auto\"}|\"auto\"", "{\"type\":\"any\"}|\"required\"", "{\"type\":\"none\"}|\"none\"",
					"{\"type\":\"tool\",\"name\":\"f\"}|{\"type\":\"function\",\"function\":{\"name\":\"f\"}}" })
	void mapsToolsAndEveryToolChoice(String anthropicChoice, String openAiChoice) {
		JsonNode chat = chat("{\"model\":\"m\",\"max_tokens\":1,\"messages\":[],\"tool_choice\":" + anthropicChoice
				+ ",\"tools\":[{\"name\":\"f\",\"description\":\"d\",\"input_schema\":{\"type\":\"object\"}}]}");
		assertThat(chat.path("tool_choice").toString()).isEqualTo(openAiChoice);
		assertThat(chat.at("/tools/0").toString()).isEqualTo(
				"{\"type\":\"function\",\"function\":{\"name\":\"f\",\"description\":\"d\",\"parameters\":{\"type\":\"object\"}}}");
	}

	@Test
	void disablingParallelToolUseTurnsOffParallelToolCalls() {
		JsonNode chat = chat("{\"model\":\"m\",\"max_tokens\":1,\"messages\":[],"
				+ "\"tool_choice\":{\"type\":\"auto\",\"disable_parallel_tool_use\":true}}");
		assertThat(chat.path("parallel_tool_calls").asBoolean(true)).isFalse();
	}

	@Test
	void refusesParametersOpenAiCannotHonourNamingTheRequest() {
		ApiError error = catchThrowableOfType(ApiError.class, () -> chat(
				"{\"model\":\"m\",\"max_tokens\":1,\"messages\":[],\"thinking\":{\"type\":\"enabled\",\"budget_tokens\":1024}}"));
		assertThat(error.getMessage()).isEqualTo("request 'r1': thinking has no OpenAI chat.completions equivalent");
		ApiError document = catchThrowableOfType(ApiError.class, () -> chat(
				"{\"model\":\"m\",\"max_tokens\":1,\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"document\"}]}]}"));
		assertThat(document.getMessage())
			.isEqualTo("request 'r1': messages has a user 'document' block, which has no OpenAI equivalent");
	}

	@ParameterizedTest
	@CsvSource({ "stop, end_turn", "length, max_tokens", "tool_calls, tool_use", "function_call, tool_use",
			"content_filter, refusal" })
	void mapsEveryFinishReason(String finishReason, String stopReason) {
		assertThat(ChatToMessage.stopReason(finishReason)).isEqualTo(stopReason);
	}

	@Test
	void turnsAChatCompletionIntoAMessageWithToolUseAndCachedUsage() {
		JsonNode message = this.toMessage.message(
				json("""
						{"id":"chatcmpl-1","object":"chat.completion","model":"gpt-x","choices":[{"index":0,
						 "message":{"role":"assistant","content":"Let me check.","tool_calls":[{"id":"call_1","type":"function",
						 "function":{"name":"lookup","arguments":"{\\"q\\":\\"z\\"}"}}]},"finish_reason":"tool_calls"}],
						 "usage":{"prompt_tokens":100,"completion_tokens":7,"total_tokens":107,"prompt_tokens_details":{"cached_tokens":60}}}
						"""));
		assertThat(message.path("id").asString()).isEqualTo("msg_chatcmpl-1");
		assertThat(message.at("/content/0/text").asString()).isEqualTo("Let me check.");
		assertThat(message.at("/content/1").toString())
			.isEqualTo("{\"type\":\"tool_use\",\"id\":\"call_1\",\"name\":\"lookup\",\"input\":{\"q\":\"z\"}}");
		assertThat(message.path("stop_reason").asString()).isEqualTo("tool_use");
		assertThat(message.path("usage").toString()).isEqualTo(
				"{\"input_tokens\":40,\"output_tokens\":7,\"cache_read_input_tokens\":60,\"cache_creation_input_tokens\":0}");
	}

	@ParameterizedTest(name = "{0}")
	@CsvSource(delimiter = '|', value = {
			"{\"custom_id\":\"a\",\"response\":{\"status_code\":200,\"body\":{\"id\":\"c\",\"choices\":[{\"message\":{\"content\":\"hi\"},\"finish_reason\":\"stop\"}]}},\"error\":null}|succeeded",
			"{\"custom_id\":\"a\",\"response\":{\"status_code\":429,\"body\":{\"error\":{\"message\":\"slow\"}}},\"error\":null}|errored:rate_limit_error:slow",
			"{\"custom_id\":\"a\",\"response\":null,\"error\":{\"code\":\"batch_expired\",\"message\":\"late\"}}|expired",
			"{\"custom_id\":\"a\",\"response\":null,\"error\":{\"code\":\"batch_cancelled\",\"message\":\"stop\"}}|canceled",
			"{\"custom_id\":\"a\",\"response\":null,\"error\":{\"code\":\"request_timeout\",\"message\":\"timed out\"}}|errored:api_error:timed out" })
	void turnsEveryKindOfOpenAiLineIntoAnAnthropicResult(String openAiLine, String expected) {
		JsonNode result = this.toMessage.resultLine(json(openAiLine)).path("result");
		String[] parts = expected.split(":");
		assertThat(result.path("type").asString()).isEqualTo(parts[0]);
		if (parts[0].equals("errored")) {
			assertThat(result.at("/error/type").asString()).isEqualTo("error");
			assertThat(result.at("/error/error/type").asString()).isEqualTo(parts[1]);
			assertThat(result.at("/error/error/message").asString()).isEqualTo(parts[2]);
		}
		if (parts[0].equals("succeeded")) {
			assertThat(result.at("/message/content/0/text").asString()).isEqualTo("hi");
		}
	}

	private JsonNode chat(String params) {
		return MessagesToChat.translate("r1", json(params));
	}

	private JsonNode json(String text) {
		return this.mapper.readTree(text);
	}

}
