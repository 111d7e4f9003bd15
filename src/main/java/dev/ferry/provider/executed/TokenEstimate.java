package dev.ferry.provider.executed;

import java.util.Map;
import java.util.Set;

import tools.jackson.databind.JsonNode;

/**
 * A request's tokens as a provider's tokens-per-minute limit counts them, estimated
 * before it is sent: its text at four characters a token, plus the most it may generate
 * ({@code max_tokens}, {@code max_completion_tokens} or {@code max_output_tokens}), which
 * is what OpenAI-style limits book when a request arrives. The answer's {@code usage}
 * corrects the estimate afterwards, so a rough one costs only a little pacing.
 */
final class TokenEstimate {

	private static final int CHARACTERS_PER_TOKEN = 4;

	/** Fields that name or configure something rather than carry text to read. */
	private static final Set<String> NOT_TEXT = Set.of("model", "role", "type", "url", "image_url", "detail",
			"tool_choice", "response_format", "encoding_format", "user", "service_tier", "reasoning_effort");

	private static final String[] OUTPUT_LIMITS = { "max_completion_tokens", "max_tokens", "max_output_tokens" };

	private TokenEstimate() {
	}

	/**
	 * Estimates a request body.
	 * @param body the request body
	 * @return its estimated tokens, at least 1
	 */
	static long of(JsonNode body) {
		long output = 0;
		for (String field : OUTPUT_LIMITS) {
			if (body.path(field).canConvertToLong()) {
				output = body.get(field).asLong();
				break;
			}
		}
		return Math.max(1, characters(body) / CHARACTERS_PER_TOKEN + output);
	}

	private static long characters(JsonNode node) {
		if (node.isString()) {
			return node.asString().length();
		}
		long total = 0;
		if (node.isArray()) {
			for (JsonNode item : node) {
				total += characters(item);
			}
		}
		else if (node.isObject()) {
			for (Map.Entry<String, JsonNode> field : node.properties()) {
				if (!NOT_TEXT.contains(field.getKey())) {
					total += characters(field.getValue());
				}
			}
		}
		return total;
	}

	/**
	 * The tokens an answer reports using.
	 * @param answer the answer's body
	 * @return {@code usage.total_tokens}, or {@code null} when it reports none
	 */
	static Long used(JsonNode answer) {
		JsonNode total = answer.path("usage").path("total_tokens");
		return total.canConvertToLong() ? total.asLong() : null;
	}

}
