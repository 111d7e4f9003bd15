package dev.ferry.results;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import dev.ferry.batch.ApiError;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * Items from result lines of both formats: what is carried over as it is, and the one
 * error shape every failure gets.
 */
class ResultItemsTests {

	private final JsonMapper mapper = JsonMapper.builder().build();

	private final ResultItems items = new ResultItems(this.mapper);

	@ParameterizedTest
	@CsvSource(delimiter = '|', value = {
			// OpenAI: a success, failures with code, type or neither, a line error
			"{\"id\":\"r1\",\"custom_id\":\"a\",\"response\":{\"status_code\":200,\"body\":{\"x\":1}},\"error\":null}"
					+ "|{\"custom_id\":\"A\",\"response\":{\"status_code\":200,\"body\":{\"x\":1}}}",
			"{\"custom_id\":\"a\",\"response\":{\"status_code\":400,\"body\":{\"error\":{\"code\":\"bad\",\"type\":\"t\",\"message\":\"m\"}}}}"
					+ "|{\"custom_id\":\"A\",\"response\":{\"status_code\":400,\"body\":{\"error\":{\"code\":\"bad\",\"type\":\"t\",\"message\":\"m\"}}},\"error\":{\"code\":\"bad\",\"message\":\"m\"}}",
			"{\"custom_id\":\"a\",\"response\":{\"body\":{\"error\":{\"code\":null,\"type\":\"t\"}},\"status_code\":429}}"
					+ "|{\"custom_id\":\"A\",\"response\":{\"body\":{\"error\":{\"code\":null,\"type\":\"t\"}},\"status_code\":429},\"error\":{\"code\":\"t\",\"message\":\"the request failed with HTTP 429\"}}",
			"{\"custom_id\":\"a\",\"response\":{\"status_code\":500,\"body\":\"oops\"}}"
					+ "|{\"custom_id\":\"A\",\"response\":{\"status_code\":500,\"body\":\"oops\"},\"error\":{\"code\":\"http_500\",\"message\":\"the request failed with HTTP 500\"}}",
			"{\"custom_id\":\"a\",\"response\":null,\"error\":{\"code\":\"batch_expired\",\"message\":\"late\"}}"
					+ "|{\"custom_id\":\"A\",\"error\":{\"code\":\"batch_expired\",\"message\":\"late\"}}",
			// Anthropic: every result type
			"{\"custom_id\":\"a\",\"result\":{\"type\":\"succeeded\",\"message\":{\"content\":[]}}}"
					+ "|{\"custom_id\":\"A\",\"result\":{\"type\":\"succeeded\",\"message\":{\"content\":[]}}}",
			"{\"result\":{\"error\":{\"type\":\"error\",\"error\":{\"message\":\"busy\",\"type\":\"overloaded_error\"}},\"type\":\"errored\"},\"custom_id\":\"a\"}"
					+ "|{\"custom_id\":\"A\",\"result\":{\"error\":{\"type\":\"error\",\"error\":{\"message\":\"busy\",\"type\":\"overloaded_error\"}},\"type\":\"errored\"},\"error\":{\"code\":\"overloaded_error\",\"message\":\"busy\"}}",
			"{\"custom_id\":\"a\",\"result\":{\"type\":\"expired\"}}"
					+ "|{\"custom_id\":\"A\",\"result\":{\"type\":\"expired\"},\"error\":{\"code\":\"expired\",\"message\":\"the request expired before it was processed\"}}",
			"{\"custom_id\":\"a\",\"result\":{\"type\":\"canceled\"}}"
					+ "|{\"custom_id\":\"A\",\"result\":{\"type\":\"canceled\"},\"error\":{\"code\":\"canceled\",\"message\":\"the batch was canceled before the request was processed\"}}",
			"{\"custom_id\":\"a\",\"result\":{\"type\":\"vanished\"}}"
					+ "|{\"custom_id\":\"A\",\"result\":{\"type\":\"vanished\"},\"error\":{\"code\":\"vanished\",\"message\":\"the request did not succeed (result type 'vanished')\"}}",
			// No usable custom_id
			"{\"custom_id\":7,\"response\":{\"status_code\":200}}|{\"custom_id\":null,\"response\":{\"status_code\":200}}",
			"{}|{\"custom_id\":null}" })
	void turnsEveryKindOfLineIntoAnItem(String line, String expected) {
		assertThat(item(line)).isEqualTo(this.mapper.readTree(expected));
	}

	@Test
	void carriesResponsesAndResultsOverByteForByte() {
		String response = "{ \"status_code\" : 200 , \"body\" : { \"text\" : \"ünï \\\"q\\\" \\u00e9 😀\", \"n\" : 1.50 } }";
		String line = "{\"custom_id\":\"a\", \"response\" : " + response + " , \"result\":\"odd\" }";
		String json = this.items.item(new JsonLine(1, line, line.length()), String::toUpperCase).getValue();
		assertThat(json).contains("\"response\":" + response).contains("\"result\":\"odd\"");
		assertThat(this.mapper.readTree(json).at("/response/body/text").asString()).isEqualTo("ünï \"q\" é 😀");
	}

	@ParameterizedTest
	@ValueSource(strings = { "[1,2]", "\"text\"", "{\"custom_id\":\"a\"", "{\"custom_id\":\"a\"}}", "nonsense" })
	void refusesALineThatIsNotAJsonObjectSayingWhereItEnds(String line) {
		ApiError error = catchThrowableOfType(ApiError.class, () -> item(line));
		assertThat(error.status()).isEqualTo(502);
		assertThat(error.getMessage()).contains("not a JSON object, ending at byte 42");
	}

	private JsonNode item(String line) {
		return this.mapper.readTree(this.items.item(new JsonLine(1, line, 42), String::toUpperCase).getValue());
	}

}
