package dev.ferry.conformance;

import java.util.List;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * One provider family as the conformance kit drives it: its provider name, its replica
 * (none for the in-process sandbox), and requests it runs.
 *
 * @param name the provider name: the family's, or another whose replica sets its
 * {@code type}
 * @param replica the replica playing the provider, or {@code null} for the sandbox
 * @param endpoint the endpoint the kit's batches target
 * @param model the model the kit's requests name
 */
record KitFamily(String name, @Nullable Replica replica, String endpoint, String model) {

	private static final JsonMapper mapper = JsonMapper.builder().build();

	/**
	 * A request that runs: a chat message, or an input for the Responses API.
	 * @param text its text
	 * @return the request body
	 */
	ObjectNode body(String text) {
		ObjectNode body = mapper.createObjectNode().put("model", this.model);
		if (this.endpoint.equals("/v1/responses")) {
			return body.put("input", text);
		}
		body.putArray("messages").addObject().put("role", "user").put("content", text);
		return body.put("max_tokens", 16);
	}

	/**
	 * A request the provider answers with an error line: one the replicas refuse, or, on
	 * the sandbox, one missing its input.
	 * @return the request body
	 */
	ObjectNode failing() {
		return (this.replica == null) ? mapper.createObjectNode().put("model", this.model) : body("FAIL this one");
	}

	/**
	 * The kit's usual input file: two requests that run ({@code ok-1}, {@code ok-2}) and
	 * one that fails ({@code bad-1}).
	 * @return the JSONL
	 */
	String inputFile() {
		return String.join("",
				List.of(line("ok-1", body("Hello")), line("bad-1", failing()), line("ok-2", body("Bonjour"))));
	}

	String line(String customId, ObjectNode body) {
		ObjectNode line = mapper.createObjectNode()
			.put("custom_id", customId)
			.put("method", "POST")
			.put("url", this.endpoint);
		line.set("body", body);
		return mapper.writeValueAsString(line) + "\n";
	}

	boolean openAiFormat() {
		return this.replica instanceof OpenAiReplica;
	}

	@Override
	public String toString() {
		return this.name;
	}

}
