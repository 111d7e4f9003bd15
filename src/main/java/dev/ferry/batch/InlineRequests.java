package dev.ferry.batch;

import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;

/**
 * Writes inline requests ({@code {custom_id, params|body}}) as an OpenAI batch input
 * file, for providers that only take files.
 */
public final class InlineRequests {

	private final JsonMapper mapper;

	public InlineRequests(JsonMapper mapper) {
		this.mapper = mapper;
	}

	/**
	 * Checks every request, then writes them lazily as JSONL lines.
	 * @param requests the inline requests
	 * @param endpoint the batch endpoint, which every line's {@code url} is set to
	 * @param model the batch model, set on bodies that name none
	 * @return the JSONL bytes, one buffer per line
	 * @throws ApiError 400 naming the first request that is wrong, by index
	 */
	public Flux<DataBuffer> toJsonl(ArrayNode requests, String endpoint, @Nullable String model) {
		check(requests, endpoint);
		return Flux.range(0, requests.size()).map((i) -> line(requests.get(i), endpoint, model));
	}

	/**
	 * Checks every request: an object with a unique {@code custom_id} and exactly one of
	 * {@code params} or {@code body}, and no {@code method} or {@code url} that disagrees
	 * with the batch.
	 * @param requests the inline requests
	 * @param endpoint the batch endpoint
	 * @throws ApiError 400 naming the first request that is wrong, by index
	 */
	public static void check(ArrayNode requests, String endpoint) {
		Set<String> customIds = new HashSet<>();
		for (int i = 0; i < requests.size(); i++) {
			check(requests.get(i), i, endpoint, customIds);
		}
	}

	/**
	 * The body of an inline request, whichever of {@code params} or {@code body} it used.
	 * @param request a checked request
	 * @return the body
	 */
	public static ObjectNode body(JsonNode request) {
		JsonNode params = request.get("params");
		return (ObjectNode) ((params != null) ? params : request.get("body"));
	}

	private static void check(JsonNode request, int index, String endpoint, Set<String> customIds) {
		String at = "requests[" + index + "]";
		if (!request.isObject()) {
			throw ApiError.invalid(at, at + ": expected an object {custom_id, params|body}");
		}
		JsonNode customId = request.get("custom_id");
		if (customId == null || !customId.isString() || customId.stringValue().isEmpty()) {
			throw ApiError.invalid(at + ".custom_id", at + ".custom_id: missing (expected: a non-empty string)");
		}
		if (!customIds.add(customId.stringValue())) {
			throw ApiError.invalid(at + ".custom_id",
					at + ".custom_id: '" + customId.stringValue() + "' is used twice (expected: unique ids)");
		}
		JsonNode params = request.get("params");
		JsonNode body = request.get("body");
		if ((params == null) == (body == null)) {
			throw ApiError.invalid(at, at + ": give exactly one of 'params' or 'body'");
		}
		if (!((params != null) ? params : body).isObject()) {
			throw ApiError.invalid(at, at + ": 'params'/'body' must be a JSON object");
		}
		JsonNode method = request.get("method");
		if (method != null && !"POST".equals(method.asString())) {
			throw ApiError.invalid(at + ".method", at + ".method: '" + method.asString() + "' (expected: POST)");
		}
		JsonNode url = request.get("url");
		if (url != null && !endpoint.equals(url.asString())) {
			throw ApiError.invalid(at + ".url",
					at + ".url: '" + url.asString() + "' (expected: the batch endpoint " + endpoint + ")");
		}
	}

	private DataBuffer line(JsonNode request, String endpoint, @Nullable String model) {
		ObjectNode body = body(request).deepCopy();
		if (model != null && !body.has("model")) {
			body.put("model", model);
		}
		ObjectNode line = this.mapper.createObjectNode();
		line.put("custom_id", request.get("custom_id").stringValue());
		line.put("method", "POST");
		line.put("url", endpoint);
		line.set("body", body);
		byte[] bytes = (this.mapper.writeValueAsString(line) + "\n").getBytes(StandardCharsets.UTF_8);
		return DefaultDataBufferFactory.sharedInstance.wrap(bytes);
	}

}
