package dev.ferry.results;

import java.util.function.UnaryOperator;

import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import dev.ferry.web.ApiError;

/**
 * Turns a provider's result line into one results item: the {@code custom_id}, whatever
 * the provider's format carries of {@code response} (OpenAI) and {@code result}
 * (Anthropic), and an {@code error {code, message}} for every request that did not
 * succeed, whichever format it came in.
 */
public final class ResultItems {

	private final JsonMapper mapper;

	public ResultItems(JsonMapper mapper) {
		this.mapper = mapper;
	}

	/**
	 * The item of one result line.
	 * @param line the line
	 * @param customIds maps the line's {@code custom_id} to the caller's
	 * @return the item
	 * @throws ApiError 502 when the line is not a JSON object
	 */
	public ObjectNode item(JsonLine line, UnaryOperator<String> customIds) {
		JsonNode result = parse(line);
		ObjectNode item = this.mapper.createObjectNode();
		JsonNode customId = result.get("custom_id");
		if (customId != null && customId.isString()) {
			item.put("custom_id", customIds.apply(customId.stringValue()));
		}
		else {
			item.putNull("custom_id");
		}
		JsonNode response = result.get("response");
		if (response != null && !response.isNull()) {
			item.set("response", response);
		}
		JsonNode anthropic = result.get("result");
		if (anthropic != null && !anthropic.isNull()) {
			item.set("result", anthropic);
		}
		ObjectNode error = error(result.get("error"), response, anthropic);
		if (error != null) {
			item.set("error", error);
		}
		return item;
	}

	private JsonNode parse(JsonLine line) {
		try {
			JsonNode node = this.mapper.readTree(line.text());
			if (node.isObject()) {
				return node;
			}
		}
		catch (JacksonException ex) {
			// Reported below, with where the line was.
		}
		throw new ApiError(502, "api_error", "bad_result_line", "the provider's results hold a line that is not a "
				+ "JSON object, ending at byte " + line.end() + "; Ferry cannot page past it", null, null);
	}

	/** The error of a request that did not succeed, in one shape for every format. */
	private @Nullable ObjectNode error(@Nullable JsonNode error, @Nullable JsonNode response,
			@Nullable JsonNode anthropic) {
		if (error != null && error.isObject()) {
			return error(error.path("code").asString(null), error.path("message").asString(""));
		}
		if (response != null && response.path("status_code").asInt(200) >= 400) {
			JsonNode bodyError = response.path("body").path("error");
			String code = bodyError.path("code").asString(null);
			return error(
					(code != null) ? code
							: bodyError.path("type").asString("http_" + response.path("status_code").asInt()),
					bodyError.path("message")
						.asString("the request failed with HTTP " + response.path("status_code").asInt()));
		}
		if (anthropic != null) {
			String type = anthropic.path("type").asString("");
			return switch (type) {
				case "succeeded" -> null;
				case "errored" -> {
					JsonNode inner = anthropic.path("error").path("error");
					yield error(inner.path("type").asString("api_error"), inner.path("message").asString(""));
				}
				case "expired" -> error("expired", "the request expired before it was processed");
				case "canceled" -> error("canceled", "the batch was canceled before the request was processed");
				default -> error(type, "the request did not succeed (result type '" + type + "')");
			};
		}
		return null;
	}

	private ObjectNode error(@Nullable String code, String message) {
		ObjectNode error = this.mapper.createObjectNode();
		if (code != null) {
			error.put("code", code);
		}
		else {
			error.putNull("code");
		}
		error.put("message", message);
		return error;
	}

}
