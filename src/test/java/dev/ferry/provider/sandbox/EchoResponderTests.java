package dev.ferry.provider.sandbox;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

class EchoResponderTests {

	private final JsonMapper mapper = JsonMapper.builder().build();

	private final EchoResponder echo = new EchoResponder();

	@Test
	void chatEchoesTheLastMessageInAChatCompletion() {
		JsonNode body = success("/v1/chat/completions",
				"{\"model\":\"m\",\"messages\":[{\"role\":\"system\",\"content\":\"be brief\"},{\"role\":\"user\",\"content\":\"two words\"}]}");
		assertThat(body.path("object").asString()).isEqualTo("chat.completion");
		assertThat(body.path("id").asString()).isEqualTo("chatcmpl-id1");
		assertThat(body.path("created").asLong()).isEqualTo(1700000000L);
		assertThat(body.at("/choices/0/message/content").asString()).isEqualTo("echo: two words");
		assertThat(body.at("/choices/0/finish_reason").asString()).isEqualTo("stop");
		assertThat(body.at("/usage/prompt_tokens").asInt()).isEqualTo(2);
		assertThat(body.at("/usage/completion_tokens").asInt()).isEqualTo(3);
		assertThat(body.at("/usage/total_tokens").asInt()).isEqualTo(5);
	}

	@Test
	void embeddingsAreDeterministicPerInput() {
		JsonNode first = success("/v1/embeddings", "{\"input\":[\"a\",\"b\"]}");
		JsonNode again = success("/v1/embeddings", "{\"input\":\"a\"}");
		assertThat(first.path("data")).hasSize(2);
		assertThat(first.at("/data/0/embedding")).hasSize(8);
		assertThat(first.at("/data/0/embedding")).isEqualTo(again.at("/data/0/embedding"));
		assertThat(first.at("/data/0/embedding")).isNotEqualTo(first.at("/data/1/embedding"));
	}

	@Test
	void everyEndpointAnswersInItsOwnShape() {
		assertThat(success("/v1/completions", "{\"prompt\":\"hi\"}").at("/choices/0/text").asString())
			.isEqualTo("echo: hi");
		assertThat(success("/v1/responses", "{\"input\":\"hi\"}").at("/output/0/content/0/text").asString())
			.isEqualTo("echo: hi");
		JsonNode message = success("/v1/messages",
				"{\"max_tokens\":10,\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"hi\"}]}]}");
		assertThat(message.path("type").asString()).isEqualTo("message");
		assertThat(message.at("/content/0/text").asString()).isEqualTo("echo: hi");
		assertThat(message.path("stop_reason").asString()).isEqualTo("end_turn");
	}

	@Test
	void refusesRequestsWithoutTheirInput() {
		assertFailure("/v1/chat/completions", "{\"messages\":[]}", "messages");
		assertFailure("/v1/embeddings", "{}", "input");
		assertFailure("/v1/completions", "{}", "prompt");
		assertFailure("/v1/responses", "{}", "input");
		assertFailure("/v1/messages", "{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}", "max_tokens");
	}

	private JsonNode success(String endpoint, String body) {
		EchoResponder.Outcome outcome = this.echo.respond(endpoint, this.mapper.readTree(body), "id1", 1700000000L);
		assertThat(outcome).isInstanceOf(EchoResponder.Success.class);
		return ((EchoResponder.Success) outcome).body();
	}

	private void assertFailure(String endpoint, String body, String param) {
		EchoResponder.Outcome outcome = this.echo.respond(endpoint, this.mapper.readTree(body), "id1", 0);
		assertThat(outcome).isInstanceOfSatisfying(EchoResponder.Failure.class,
				(failure) -> assertThat(failure.param()).isEqualTo(param));
	}

}
