package dev.ferry.batch;

import java.util.TreeSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The body of a create-batch call, as both the unified and the OpenAI dialect accept it:
 * OpenAI's fields plus Ferry's {@code model}, {@code provider} and inline
 * {@code requests}.
 *
 * @param model the model as written, possibly {@code provider/model}
 * @param provider a provider named in the body
 * @param endpoint the endpoint
 * @param completionWindow the completion window
 * @param inputFileId the input file, or {@code null} for inline requests
 * @param requests the inline requests, or {@code null}
 * @param metadata the metadata
 * @param passthrough the body without Ferry's own fields
 */
public record CreateBatchBody(@Nullable String model, @Nullable String provider, String endpoint,
		String completionWindow, @Nullable String inputFileId, @Nullable ArrayNode requests,
		@Nullable Map<String, String> metadata, ObjectNode passthrough) {

	/** The endpoints a batch may target. */
	public static final Set<String> ENDPOINTS = Set.of("/v1/chat/completions", "/v1/embeddings", "/v1/completions",
			"/v1/responses", "/v1/messages", "/v1/moderations", "/v1/images/generations", "/v1/images/edits",
			"/v1/videos");

	private static final Set<String> FERRY_FIELDS = Set.of("model", "provider", "requests");

	private static final int MAX_METADATA_PAIRS = 16;

	/**
	 * Reads and checks a body.
	 * @param body the parsed JSON body
	 * @param defaultWindow the completion window when none is given, or {@code null} to
	 * require one
	 * @return the body
	 * @throws ApiError 400 naming the first field that is wrong
	 */
	public static CreateBatchBody parse(JsonNode body, @Nullable String defaultWindow) {
		if (!(body instanceof ObjectNode object)) {
			throw ApiError.invalid(null, "body: expected a JSON object");
		}
		String endpoint = requiredText(object, "endpoint");
		if (!ENDPOINTS.contains(endpoint)) {
			throw ApiError.invalid("endpoint", "endpoint: '" + endpoint + "' (expected one of: "
					+ String.join(", ", new TreeSet<>(ENDPOINTS)) + ")");
		}
		String window = optionalText(object, "completion_window");
		if (window == null) {
			if (defaultWindow == null) {
				throw ApiError.invalid("completion_window", "completion_window: missing (expected: '24h')");
			}
			window = defaultWindow;
		}
		String inputFileId = optionalText(object, "input_file_id");
		JsonNode requests = object.get("requests");
		if (requests != null && !requests.isNull() && !requests.isArray()) {
			throw ApiError.invalid("requests", "requests: expected an array of {custom_id, params|body}");
		}
		boolean inline = requests != null && requests.isArray();
		if (inline == (inputFileId != null)) {
			throw ApiError.invalid("input_file_id",
					"give exactly one of 'input_file_id' (an uploaded JSONL file) or 'requests' (inline requests)");
		}
		if (inline && requests.isEmpty()) {
			throw ApiError.invalid("requests", "requests: empty (expected: at least one request)");
		}
		ObjectNode passthrough = object.deepCopy();
		FERRY_FIELDS.forEach(passthrough::remove);
		return new CreateBatchBody(optionalText(object, "model"), optionalText(object, "provider"), endpoint, window,
				inputFileId, inline ? (ArrayNode) requests : null, metadata(object.get("metadata")), passthrough);
	}

	private static @Nullable Map<String, String> metadata(@Nullable JsonNode node) {
		if (node == null || node.isNull()) {
			return null;
		}
		if (!node.isObject()) {
			throw ApiError.invalid("metadata", "metadata: expected an object of string values");
		}
		if (node.size() > MAX_METADATA_PAIRS) {
			throw ApiError.invalid("metadata",
					"metadata: " + node.size() + " pairs (expected: at most " + MAX_METADATA_PAIRS + ")");
		}
		Map<String, String> metadata = new LinkedHashMap<>();
		for (Map.Entry<String, JsonNode> entry : node.properties()) {
			String key = entry.getKey();
			JsonNode value = entry.getValue();
			if (key.length() > 64) {
				throw ApiError.invalid("metadata", "metadata: key '" + key.substring(0, 64) + "…' is " + key.length()
						+ " characters (expected: at most 64)");
			}
			if (!value.isString() || value.stringValue().length() > 512) {
				throw ApiError.invalid("metadata", "metadata." + key + ": expected a string of at most 512 characters");
			}
			metadata.put(key, value.stringValue());
		}
		return metadata;
	}

	private static String requiredText(ObjectNode object, String field) {
		String value = optionalText(object, field);
		if (value == null) {
			throw ApiError.invalid(field, field + ": missing");
		}
		return value;
	}

	/**
	 * A string field, {@code null} when absent or JSON null.
	 * @param object the object
	 * @param field the field
	 * @return the value
	 * @throws ApiError 400 when the field is present but not a string
	 */
	static @Nullable String optionalText(JsonNode object, String field) {
		JsonNode value = object.get(field);
		if (value == null || value.isNull()) {
			return null;
		}
		if (!value.isString()) {
			throw ApiError.invalid(field, field + ": expected a string");
		}
		return value.stringValue();
	}

	/**
	 * The provider the body names without a {@code provider} field: the model's prefix,
	 * else the provider carried by a Ferry-minted {@code input_file_id}.
	 * @param model the parsed model
	 * @return the provider name, or {@code null}
	 */
	public @Nullable String providerHint(ModelRef model) {
		return (model.provider() != null) ? model.provider() : FerryIds.providerOf(this.inputFileId).orElse(null);
	}

}
