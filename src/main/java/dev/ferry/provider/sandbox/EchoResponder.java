package dev.ferry.provider.sandbox;

import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * The sandbox's deterministic model: it echoes the last input text back, in the response
 * shape of each endpoint, and refuses bodies the real endpoint would refuse for a missing
 * input.
 */
final class EchoResponder {

	/** The endpoints the sandbox answers. */
	static final Set<String> ENDPOINTS = Set.of("/v1/chat/completions", "/v1/embeddings", "/v1/completions",
			"/v1/responses", "/v1/messages");

	private static final JsonNodeFactory json = JsonNodeFactory.instance;

	private static final String DEFAULT_MODEL = "sandbox-echo";

	private static final int EMBEDDING_DIMENSIONS = 8;

	/** What a request produced: a response body, or an error for the error file. */
	sealed interface Outcome permits Success, Failure {

	}

	record Success(ObjectNode body) implements Outcome {
	}

	record Failure(String message, String param) implements Outcome {
	}

	/**
	 * Answers one request.
	 * @param endpoint the batch endpoint
	 * @param body the request body
	 * @param id a stable id for this request, used in response ids
	 * @param created the response timestamp, in Unix seconds
	 * @return the outcome
	 */
	Outcome respond(String endpoint, JsonNode body, String id, long created) {
		String model = body.path("model").isString() ? body.path("model").stringValue() : DEFAULT_MODEL;
		return switch (endpoint) {
			case "/v1/chat/completions" -> chat(body, id, created, model);
			case "/v1/embeddings" -> embeddings(body, model);
			case "/v1/completions" -> completion(body, id, created, model);
			case "/v1/responses" -> response(body, id, created, model);
			case "/v1/messages" -> message(body, id, model);
			default -> new Failure("endpoint " + endpoint + " is not simulated by the sandbox (simulated: "
					+ String.join(", ", ENDPOINTS) + ")", "url");
		};
	}

	private Outcome chat(JsonNode body, String id, long created, String model) {
		String input = lastMessageText(body.get("messages"));
		if (input == null) {
			return new Failure("messages: missing (expected: a non-empty array of messages)", "messages");
		}
		String text = "echo: " + input;
		ObjectNode response = json.objectNode();
		response.put("id", "chatcmpl-" + id);
		response.put("object", "chat.completion");
		response.put("created", created);
		response.put("model", model);
		ObjectNode choice = response.putArray("choices").addObject();
		choice.put("index", 0);
		ObjectNode message = choice.putObject("message");
		message.put("role", "assistant");
		message.put("content", text);
		choice.putNull("logprobs");
		choice.put("finish_reason", "stop");
		response.set("usage", usage("prompt_tokens", words(input), "completion_tokens", words(text)));
		return new Success(response);
	}

	private Outcome embeddings(JsonNode body, String model) {
		JsonNode input = body.get("input");
		if (input == null || input.isNull() || (input.isArray() && input.isEmpty())) {
			return new Failure("input: missing (expected: a string or an array of strings)", "input");
		}
		ObjectNode response = json.objectNode();
		response.put("object", "list");
		ArrayNode data = response.putArray("data");
		int index = 0;
		long tokens = 0;
		for (JsonNode item : input.isArray() ? input : json.arrayNode().add(input)) {
			String text = item.isString() ? item.stringValue() : item.toString();
			ObjectNode embedding = data.addObject();
			embedding.put("object", "embedding");
			embedding.put("index", index++);
			embedding.set("embedding", vector(text));
			tokens += words(text);
		}
		response.put("model", model);
		ObjectNode usage = response.putObject("usage");
		usage.put("prompt_tokens", tokens);
		usage.put("total_tokens", tokens);
		return new Success(response);
	}

	private Outcome completion(JsonNode body, String id, long created, String model) {
		JsonNode prompt = body.get("prompt");
		String input = (prompt == null) ? null : prompt.isArray() ? textOf(prompt.path(0)) : textOf(prompt);
		if (input == null) {
			return new Failure("prompt: missing (expected: a string)", "prompt");
		}
		String text = "echo: " + input;
		ObjectNode response = json.objectNode();
		response.put("id", "cmpl-" + id);
		response.put("object", "text_completion");
		response.put("created", created);
		response.put("model", model);
		ObjectNode choice = response.putArray("choices").addObject();
		choice.put("text", text);
		choice.put("index", 0);
		choice.putNull("logprobs");
		choice.put("finish_reason", "stop");
		response.set("usage", usage("prompt_tokens", words(input), "completion_tokens", words(text)));
		return new Success(response);
	}

	private Outcome response(JsonNode body, String id, long created, String model) {
		JsonNode input = body.get("input");
		String text = (input == null) ? null : input.isArray() ? lastMessageText(input) : textOf(input);
		if (text == null) {
			return new Failure("input: missing (expected: a string or an array of input items)", "input");
		}
		String output = "echo: " + text;
		ObjectNode response = json.objectNode();
		response.put("id", "resp_" + id);
		response.put("object", "response");
		response.put("created_at", created);
		response.put("status", "completed");
		response.put("model", model);
		ObjectNode item = response.putArray("output").addObject();
		item.put("type", "message");
		item.put("id", "msg_" + id);
		item.put("status", "completed");
		item.put("role", "assistant");
		ObjectNode content = item.putArray("content").addObject();
		content.put("type", "output_text");
		content.put("text", output);
		content.putArray("annotations");
		response.set("usage", usage("input_tokens", words(text), "output_tokens", words(output)));
		return new Success(response);
	}

	private Outcome message(JsonNode body, String id, String model) {
		String input = lastMessageText(body.get("messages"));
		if (input == null) {
			return new Failure("messages: missing (expected: a non-empty array of messages)", "messages");
		}
		if (body.path("max_tokens").asInt(0) < 1) {
			return new Failure("max_tokens: missing or below 1 (expected: an integer >= 1)", "max_tokens");
		}
		String text = "echo: " + input;
		ObjectNode response = json.objectNode();
		response.put("id", "msg_" + id);
		response.put("type", "message");
		response.put("role", "assistant");
		response.put("model", model);
		ObjectNode content = response.putArray("content").addObject();
		content.put("type", "text");
		content.put("text", text);
		response.put("stop_reason", "end_turn");
		response.putNull("stop_sequence");
		ObjectNode usage = response.putObject("usage");
		usage.put("input_tokens", words(input));
		usage.put("output_tokens", words(text));
		return new Success(response);
	}

	/** The text of the last message, from a string or from text content parts. */
	private static @Nullable String lastMessageText(@Nullable JsonNode messages) {
		if (messages == null || !messages.isArray() || messages.isEmpty()) {
			return null;
		}
		JsonNode last = messages.get(messages.size() - 1);
		JsonNode content = last.has("content") ? last.get("content") : last;
		if (content.isArray()) {
			StringBuilder text = new StringBuilder();
			for (JsonNode part : content) {
				String partText = textOf(part.get("text"));
				if (partText != null) {
					text.append(text.isEmpty() ? "" : " ").append(partText);
				}
			}
			return text.toString();
		}
		String text = textOf(content);
		return (text != null) ? text : "";
	}

	private static @Nullable String textOf(@Nullable JsonNode node) {
		return (node != null && node.isString()) ? node.stringValue() : null;
	}

	private static ObjectNode usage(String inputName, long input, String outputName, long output) {
		ObjectNode usage = json.objectNode();
		usage.put(inputName, input);
		usage.put(outputName, output);
		usage.put("total_tokens", input + output);
		return usage;
	}

	private static long words(String text) {
		String trimmed = text.trim();
		return trimmed.isEmpty() ? 1 : trimmed.split("\\s+").length;
	}

	/** A unit-range vector seeded by the text, so equal inputs embed equally. */
	private static ArrayNode vector(String text) {
		SplittableRandom random = new SplittableRandom(
				UUID.nameUUIDFromBytes(text.getBytes(StandardCharsets.UTF_8)).getMostSignificantBits());
		ArrayNode vector = json.arrayNode();
		for (int i = 0; i < EMBEDDING_DIMENSIONS; i++) {
			vector.add(Math.round((random.nextDouble() * 2 - 1) * 1e6) / 1e6);
		}
		return vector;
	}

}
