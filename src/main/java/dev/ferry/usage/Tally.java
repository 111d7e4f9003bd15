package dev.ferry.usage;

import tools.jackson.databind.JsonNode;

/**
 * Requests and tokens added up, from result lines in any format Ferry serves: OpenAI
 * output and error lines ({@code response.body.usage}: chat completions' and embeddings'
 * {@code prompt_tokens}, {@code completion_tokens} and cached
 * {@code prompt_tokens_details.cached_tokens}, or the Responses API's
 * {@code input_tokens}, {@code output_tokens} and
 * {@code input_tokens_details.cached_tokens}), and Anthropic result lines
 * ({@code result.message.usage}, whose input counts the cache reads and writes besides
 * {@code input_tokens}).
 *
 * @param requests the result lines
 * @param inputTokens input tokens, cached ones included
 * @param outputTokens output tokens
 * @param cachedTokens input tokens read from the provider's cache
 */
record Tally(long requests, long inputTokens, long outputTokens, long cachedTokens) {

	static final Tally ZERO = new Tally(0, 0, 0, 0);

	/**
	 * One result line's share.
	 * @param line the line
	 * @return its request and tokens
	 */
	static Tally of(JsonNode line) {
		JsonNode openAi = line.path("response").path("body").path("usage");
		if (openAi.isObject()) {
			long input = openAi.has("prompt_tokens") ? openAi.path("prompt_tokens").asLong(0)
					: openAi.path("input_tokens").asLong(0);
			long output = openAi.has("completion_tokens") ? openAi.path("completion_tokens").asLong(0)
					: openAi.path("output_tokens").asLong(0);
			long cached = openAi.path("prompt_tokens_details")
				.path("cached_tokens")
				.asLong(openAi.path("input_tokens_details").path("cached_tokens").asLong(0));
			return new Tally(1, input, output, cached);
		}
		JsonNode anthropic = line.path("result").path("message").path("usage");
		if (anthropic.isObject()) {
			long read = anthropic.path("cache_read_input_tokens").asLong(0);
			long written = anthropic.path("cache_creation_input_tokens").asLong(0);
			return new Tally(1, anthropic.path("input_tokens").asLong(0) + read + written,
					anthropic.path("output_tokens").asLong(0), read);
		}
		return new Tally(1, 0, 0, 0);
	}

	Tally plus(Tally other) {
		return new Tally(this.requests + other.requests, this.inputTokens + other.inputTokens,
				this.outputTokens + other.outputTokens, this.cachedTokens + other.cachedTokens);
	}

}
