package dev.ferry.translate;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.core.io.buffer.DataBuffer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Walks the mapping tables from OpenAI's shape into Anthropic's (requests) and back
 * (results): {@code chat.completions} bodies into Messages params, Anthropic result lines
 * into OpenAI output and error lines..
 */
class OpenAiToAnthropicTranslationTests {

	private final JsonMapper mapper = JsonMapper.builder().build();

	private final ChatToMessages toMessages = new ChatToMessages(this.mapper, 4096);

	private final AnthropicResultToChat toChat = new AnthropicResultToChat(this.mapper);

	@Test
	void hoistsSystemAndDeveloperMessagesAndMapsTokensStopsSamplingAndUser() {
		JsonNode params = translate("""
				{"model":"claude-x","messages":[{"role":"system","content":"Be brief."},
				 {"role":"user","content":"Hi"},{"role":"developer","content":[{"type":"text","text":"Be kind."}]},
				 {"role":"assistant","content":"Hello"}],
				 "max_tokens":50,"stop":["A","B"],"temperature":0.7,"top_p":0.9,"safety_identifier":"u1",
				 "n":1,"stream":false,"presence_penalty":0,"frequency_penalty":0,"logprobs":false,"store":false}
				""");
		assertThat(params).isEqualTo(json("""
				{"model":"claude-x","max_tokens":50,
				 "system":[{"type":"text","text":"Be brief."},{"type":"text","text":"Be kind."}],
				 "messages":[{"role":"user","content":[{"type":"text","text":"Hi"}]},
				             {"role":"assistant","content":[{"type":"text","text":"Hello"}]}],
				 "temperature":0.7,"top_p":0.9,"stop_sequences":["A","B"],"metadata":{"user_id":"u1"}}
				"""));
	}

	@Test
	void takesMaxCompletionTokensFirstAndSuppliesADefault() {
		assertThat(translate("{\"model\":\"m\",\"max_completion_tokens\":7,\"max_tokens\":9,"
				+ "\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}")
			.path("max_tokens")
			.asInt()).isEqualTo(7);
		assertThat(
				translate("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}").path("max_tokens")
					.asInt())
			.isEqualTo(4096);
		assertThat(translate("{\"model\":\"m\",\"stop\":\"END\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}")
			.path("stop_sequences")).isEqualTo(json("[\"END\"]"));
	}

	@Test
	void usesTheBatchModelForBodiesThatNameNone() {
		JsonNode body = json("{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}");
		assertThat(this.toMessages.translate(body, "claude-batch").path("model").asString()).isEqualTo("claude-batch");
		assertThatExceptionOfType(ChatToMessages.TranslationException.class)
			.isThrownBy(() -> this.toMessages.translate(body, null))
			.withMessageStartingWith("model: missing");
	}

	@Test
	void mapsImagesToolCallsAndMergesToolResultsIntoOneUserTurn() {
		JsonNode params = translate("""
				{"model":"m","messages":[
				 {"role":"user","content":[{"type":"text","text":"Look"},
				   {"type":"image_url","image_url":{"url":"data:image/jpeg;base64,AAA","detail":"low"}},
				   {"type":"image_url","image_url":{"url":"https://x/y.png"}}]},
				 {"role":"assistant","content":"","tool_calls":[
				   {"id":"c1","type":"function","function":{"name":"f","arguments":"{\\"a\\":1}"}},
				   {"id":"c2","type":"function","function":{"name":"g","arguments":""}}]},
				 {"role":"tool","tool_call_id":"c1","content":"one"},
				 {"role":"tool","tool_call_id":"c2","content":[{"type":"text","text":"two"}]},
				 {"role":"user","content":"thanks"}]}
				""");
		assertThat(params.path("messages")).isEqualTo(
				json("""
						[{"role":"user","content":[{"type":"text","text":"Look"},
						   {"type":"image","source":{"type":"base64","media_type":"image/jpeg","data":"AAA"}},
						   {"type":"image","source":{"type":"url","url":"https://x/y.png"}}]},
						 {"role":"assistant","content":[{"type":"tool_use","id":"c1","name":"f","input":{"a":1}},
						   {"type":"tool_use","id":"c2","name":"g","input":{}}]},
						 {"role":"user","content":[{"type":"tool_result","tool_use_id":"c1","content":[{"type":"text","text":"one"}]},
						   {"type":"tool_result","tool_use_id":"c2","content":[{"type":"text","text":"two"}]},
						   {"type":"text","text":"thanks"}]}]
						"""));
	}

	@ParameterizedTest
	@CsvSource(delimiter = '|',
			value = { "\"auto\"|{\"type\":\"auto\"}", "\"required\"|{\"type\":\"any\"}", "\"none\"|{\"type\":\"none\"}",
					"{\"type\":\"function\",\"function\":{\"name\":\"f\"}}|{\"type\":\"tool\",\"name\":\"f\"}" })
	void mapsToolsAndEveryToolChoice(String openAiChoice, String anthropicChoice) {
		JsonNode params = translate("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],"
				+ "\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"f\",\"description\":\"d\","
				+ "\"parameters\":{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"string\"}}},\"strict\":true}},"
				+ "{\"type\":\"function\",\"function\":{\"name\":\"g\"}}],\"tool_choice\":" + openAiChoice + "}");
		assertThat(params.path("tools")).isEqualTo(json("[{\"name\":\"f\",\"description\":\"d\",\"input_schema\":"
				+ "{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"string\"}}},\"strict\":true},"
				+ "{\"name\":\"g\",\"input_schema\":{\"type\":\"object\",\"properties\":{}}}]"));
		assertThat(params.path("tool_choice")).isEqualTo(json(anthropicChoice));
	}

	@Test
	void turnsOffParallelToolUseAndMapsAJsonSchemaResponseFormat() {
		JsonNode params = translate("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],"
				+ "\"parallel_tool_calls\":false,\"response_format\":{\"type\":\"json_schema\",\"json_schema\":"
				+ "{\"name\":\"r\",\"schema\":{\"type\":\"object\"}}}}");
		assertThat(params.path("tool_choice"))
			.isEqualTo(json("{\"type\":\"auto\",\"disable_parallel_tool_use\":true}"));
		assertThat(params.path("output_config"))
			.isEqualTo(json("{\"format\":{\"type\":\"json_schema\",\"schema\":{\"type\":\"object\"}}}"));
	}

	@ParameterizedTest
	@ValueSource(strings = { "\"n\":2", "\"stream\":true", "\"seed\":1", "\"logprobs\":true", "\"logit_bias\":{}",
			"\"frequency_penalty\":0.5", "\"presence_penalty\":1", "\"audio\":{}", "\"modalities\":[\"text\"]",
			"\"reasoning_effort\":\"high\"" })
	void refusesParametersAnthropicCannotHonour(String parameter) {
		String name = parameter.substring(1, parameter.indexOf('"', 1));
		assertThatExceptionOfType(ChatToMessages.TranslationException.class)
			.isThrownBy(() -> translate(
					"{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]," + parameter + "}"))
			.withMessageStartingWith("unsupported parameter " + name + " (Anthropic has no equivalent");
	}

	@ParameterizedTest
	@CsvSource(delimiter = '|', value = { "\"temperature\":1.5|temperature: 1.5 (expected: 0 to 1",
			"\"response_format\":{\"type\":\"json_object\"}|response_format: json_object",
			"\"messages\":[{\"role\":\"function\",\"content\":\"x\"}]|messages[0].role: 'function'",
			"\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"input_audio\"}]}]|messages[0].content[0].type: 'input_audio'",
			"\"messages\":[{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[{\"id\":\"c\",\"function\":{\"name\":\"f\",\"arguments\":\"{oops\"}}]}]|messages[0].tool_calls[0].function.arguments: not a JSON object",
			"\"messages\":[]|messages: missing or empty", "\"max_tokens\":0|max_completion_tokens: 0" })
	void refusesWhatCannotBeTranslatedNamingTheField(String fields, String message) {
		String body = fields.startsWith("\"messages\"") ? "{\"model\":\"m\"," + fields + "}"
				: "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]," + fields + "}";
		assertThatExceptionOfType(ChatToMessages.TranslationException.class).isThrownBy(() -> translate(body))
			.withMessageStartingWith(message);
	}

	@ParameterizedTest
	@CsvSource({ "end_turn, stop", "stop_sequence, stop", "max_tokens, length", "model_context_window_exceeded, length",
			"tool_use, tool_calls", "refusal, content_filter", "pause_turn, stop" })
	void mapsEveryStopReason(String stopReason, String finishReason) {
		assertThat(AnthropicResultToChat.finishReason(stopReason)).isEqualTo(finishReason);
	}

	@Test
	void turnsAMessageIntoAChatCompletion() {
		String message = """
				{"id":"msg_1","type":"message","role":"assistant","model":"claude-x",
				 "content":[{"type":"thinking","thinking":"hmm","signature":"s"},{"type":"text","text":"Hello "},
				   {"type":"text","text":"there"},{"type":"tool_use","id":"tu_1","name":"f","input":{"a":[1,2]}}],
				 "stop_reason":"tool_use","stop_sequence":null,
				 "usage":{"input_tokens":10,"output_tokens":4,"cache_read_input_tokens":3,"cache_creation_input_tokens":2,
				   "output_tokens_details":{"reasoning_tokens":1}}}
				""";
		JsonNode line = translated(
				"{\"custom_id\":\"sent\",\"result\":{\"type\":\"succeeded\",\"message\":" + message + "}}", true);
		assertThat(line.at("/response/body")).isEqualTo(
				json("""
						{"id":"msg_1","object":"chat.completion","created":1700000000,"model":"claude-x",
						 "choices":[{"index":0,"message":{"role":"assistant","content":"Hello there","refusal":null,
						   "tool_calls":[{"id":"tu_1","type":"function","function":{"name":"f","arguments":"{\\"a\\":[1,2]}"}}]},
						   "logprobs":null,"finish_reason":"tool_calls"}],
						 "usage":{"prompt_tokens":15,"completion_tokens":4,"total_tokens":19,
						   "prompt_tokens_details":{"cached_tokens":3,"cache_write_tokens":2},
						   "completion_tokens_details":{"reasoning_tokens":1}}}
						"""));
	}

	@Test
	void readsResultPropertiesInAnyOrder() {
		String ordered = "{\"custom_id\":\"sent\",\"result\":{\"type\":\"succeeded\",\"message\":{\"id\":\"msg_1\","
				+ "\"model\":\"m\",\"content\":[{\"type\":\"text\",\"text\":\"Hi\"},{\"type\":\"tool_use\",\"id\":\"tu\","
				+ "\"name\":\"f\",\"input\":{}}],\"stop_reason\":\"tool_use\",\"usage\":{\"input_tokens\":1}}}}";
		String shuffled = "{\"result\":{\"message\":{\"usage\":{\"input_tokens\":1},\"stop_reason\":\"tool_use\","
				+ "\"content\":[{\"text\":\"Hi\",\"type\":\"text\"},{\"input\":{},\"name\":\"f\",\"id\":\"tu\","
				+ "\"type\":\"tool_use\"}],\"model\":\"m\",\"id\":\"msg_1\"},\"type\":\"succeeded\"},\"custom_id\":\"sent\"}";
		assertThat(translated(shuffled, true)).isEqualTo(translated(ordered, true));
		assertThat(translated(ordered, true).at("/response/body/choices/0/message/content").asString()).isEqualTo("Hi");
	}

	@Test
	void carriesEscapedAndNonAsciiTextIntoTheCompletionUnchanged() {
		String text = "{\"custom_id\":\"c\",\"result\":{\"type\":\"succeeded\",\"message\":{\"content\":["
				+ "{\"type\":\"text\",\"text\":\"say \\\"hi\\\"\\\\ \\u00e9 ü 😀\\n\"},{\"type\":\"text\",\"text\":\"\"},"
				+ "{\"type\":\"text\",\"text\":\"\\ud83d\\ude00 end\"}]}}}";
		assertThat(translated(text, true).at("/response/body/choices/0/message/content").asString())
			.isEqualTo("say \"hi\"\\ é ü 😀\n😀 end");
	}

	@ParameterizedTest
	@CsvSource(delimiter = '|', value = {
			"{\"type\":\"succeeded\",\"message\":{\"id\":\"msg_1\",\"content\":[],\"stop_reason\":\"end_turn\",\"usage\":{}}}|/response/status_code|200",
			"{\"type\":\"errored\",\"error\":{\"type\":\"error\",\"error\":{\"type\":\"invalid_request_error\",\"message\":\"bad\"}}}|/response/status_code|400",
			"{\"type\":\"errored\",\"error\":{\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"busy\"}}}|/response/status_code|529",
			"{\"type\":\"errored\",\"error\":{\"type\":\"error\",\"error\":{\"type\":\"rate_limit_error\",\"message\":\"slow\"}}}|/response/body/error/type|rate_limit_error",
			"{\"type\":\"errored\",\"error\":{\"type\":\"error\",\"error\":{\"type\":\"api_error\",\"message\":\"boom\"},\"request_id\":\"req_up\"}}|/response/request_id|req_up",
			"{\"type\":\"expired\"}|/error/code|batch_expired", "{\"type\":\"canceled\"}|/error/code|batch_cancelled" })
	void turnsEveryResultTypeIntoAnOpenAiLine(String result, String pointer, String expected) {
		String text = "{\"custom_id\":\"sent\",\"result\":" + result + "}";
		JsonNode line = translated(text, true);
		assertThat(line.path("custom_id").asString()).isEqualTo("mine");
		assertThat(line.path("id").asString()).startsWith("batch_req_");
		assertThat(line.at(pointer).asString()).isEqualTo(expected);
		assertThat(read(text, false).succeeded()).isEqualTo(result.contains("succeeded"));
	}

	@Test
	void keepsAMessagesResponseAsItIsForMessagesBatches() {
		String message = "{ \"id\" : \"msg_1\", \"type\":\"message\",\"content\":[{\"type\":\"text\",\"text\":\"ünï \\\"q\\\"\"}],"
				+ "\"usage\":{\"output_tokens\":1.0e0} }";
		JsonNode line = translated(
				"{\"custom_id\":\"a\",\"result\":{\"type\":\"succeeded\",\"message\":" + message + "}}", false);
		assertThat(line.at("/response/body")).isEqualTo(json(message));
		assertThat(line.at("/response/body/content/0/text").asString()).isEqualTo("ünï \"q\"");
	}

	@ParameterizedTest
	@ValueSource(strings = { "{\"custom_id\":\"a\",\"result\":{", "{\"custom_id\":\"a\"}}", "{} {}",
			"{\"result\":{\"type\":\"succeeded\",\"message\":{\"content\":[{\"type\":\"text\",\"text\":\"abc",
			"{\"result\":{\"message\":{\"content\":[{\"text\":\"ends in an escape\\" })
	void refusesAResultLineThatIsNotOneJsonValue(String line) {
		assertThatExceptionOfType(JacksonException.class).isThrownBy(() -> read(line, true));
	}

	/** The OpenAI line of an Anthropic result line, for custom id {@code mine}. */
	private JsonNode translated(String anthropicLine, boolean translate) {
		DataBuffer line = this.toChat.line(read(anthropicLine, !translate), "mine", "msgbatch_1", 1_700_000_000L);
		String text = line.toString(StandardCharsets.UTF_8);
		assertThat(text).endsWith("\n").doesNotContain("\n{");
		return json(text);
	}

	private JsonNode translate(String body) {
		return this.toMessages.translate(json(body), null);
	}

	private AnthropicResult read(String line, boolean keepMessage) {
		return AnthropicResult.read(this.mapper, line.getBytes(StandardCharsets.UTF_8), keepMessage);
	}

	private JsonNode json(String text) {
		return this.mapper.readTree(text);
	}

}
