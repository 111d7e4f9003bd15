package dev.ferry.provider.executed;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import dev.ferry.auth.KeyRotation;
import dev.ferry.batch.SyncUpstream;
import dev.ferry.upstream.UpstreamErrors;

import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.client.ClientResponse;
import org.springframework.web.reactive.function.client.WebClient;

/**
 * An OpenAI-compatible synchronous API: each request is posted as it is to the endpoint's
 * path under the base URL (which ends in {@code /v1}), with the next of the provider's
 * keys, and the answer read as it comes.
 */
final class OpenAiCompatibleUpstream implements SyncUpstream {

	private static final Pattern GO_DURATION_PART = Pattern.compile("([0-9]+(?:\\.[0-9]+)?)(ms|h|m|s)");

	private final WebClient client;

	private final KeyRotation keys;

	private final JsonMapper mapper;

	OpenAiCompatibleUpstream(WebClient client, KeyRotation keys, JsonMapper mapper) {
		this.client = client;
		this.keys = keys;
		this.mapper = mapper;
	}

	@Override
	public Mono<Answer> send(String endpoint, JsonNode body) {
		String key = this.keys.next();
		return this.client.post()
			.uri(endpoint.startsWith("/v1/") ? endpoint.substring("/v1".length()) : endpoint)
			.contentType(MediaType.APPLICATION_JSON)
			.accept(MediaType.APPLICATION_JSON)
			.headers((headers) -> {
				if (key != null) {
					headers.setBearerAuth(key);
				}
			})
			.bodyValue(this.mapper.writeValueAsBytes(body))
			.exchangeToMono((response) -> response.bodyToMono(byte[].class)
				.defaultIfEmpty(new byte[0])
				.map((bytes) -> new Answer(response.statusCode().value(), json(bytes), retryAfter(response), null)))
			.onErrorResume((failure) -> Mono.just(Answer.failed(failure)));
	}

	private JsonNode json(byte[] bytes) {
		try {
			JsonNode node = this.mapper.readTree(bytes);
			return (node != null) ? node : this.mapper.createObjectNode();
		}
		catch (JacksonException ex) {
			ObjectNode error = this.mapper.createObjectNode();
			error.putObject("error").put("message", new String(bytes, StandardCharsets.UTF_8)).put("type", "api_error");
			return error;
		}
	}

	/**
	 * How long the provider asks to be left alone: {@code Retry-After} (seconds or an
	 * HTTP date), else the OpenAI-style {@code x-ratelimit-reset-requests} or
	 * {@code -tokens} ({@code 1s}, {@code 6m0s}, {@code 250ms}).
	 */
	static @Nullable Duration retryAfter(ClientResponse response) {
		HttpHeaders headers = response.headers().asHttpHeaders();
		String retryAfter = headers.getFirst(HttpHeaders.RETRY_AFTER);
		if (retryAfter != null) {
			return UpstreamErrors.retryAfter(retryAfter);
		}
		for (String name : new String[] { "x-ratelimit-reset-requests", "x-ratelimit-reset-tokens" }) {
			Duration reset = goDuration(headers.getFirst(name));
			if (reset != null) {
				return reset;
			}
		}
		return null;
	}

	/**
	 * A duration as OpenAI-compatible servers write them: {@code 1m30s}, {@code 250ms}.
	 */
	static @Nullable Duration goDuration(@Nullable String text) {
		if (text == null || text.isBlank()) {
			return null;
		}
		Matcher part = GO_DURATION_PART.matcher(text.trim());
		double millis = 0;
		int matched = 0;
		while (part.find()) {
			double value = Double.parseDouble(part.group(1));
			millis += switch (part.group(2)) {
				case "h" -> value * 3_600_000;
				case "m" -> value * 60_000;
				case "s" -> value * 1_000;
				default -> value;
			};
			matched += part.group().length();
		}
		return (matched == text.trim().length() && matched > 0) ? Duration.ofMillis((long) millis) : null;
	}

}
