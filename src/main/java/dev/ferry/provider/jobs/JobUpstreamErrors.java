package dev.ferry.provider.jobs;

import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import dev.ferry.batch.ApiError;
import dev.ferry.upstream.UpstreamErrors;

/**
 * Reads the error bodies of job-style providers, which differ: OpenAI's
 * {@code {"error":{message,type,code}}} (xAI, OpenRouter), a top-level
 * {@code {"message":…,"type":…}} (Mistral), or FastAPI's {@code {"detail":…}}. The status
 * and the message are kept.
 */
final class JobUpstreamErrors extends UpstreamErrors {

	private final JsonMapper mapper;

	JobUpstreamErrors(String provider, JsonMapper mapper) {
		super(provider, mapper);
		this.mapper = mapper;
	}

	@Override
	public ApiError parse(int status, String body) {
		JsonNode root = root(body);
		JsonNode error = errorObject(body);
		JsonNode source = (error != null) ? error : root;
		String message = (source != null) ? message(source) : null;
		String type = (source != null && source.path("type").isString()) ? source.path("type").asString() : null;
		String code = (source != null && source.path("code").isValueNode() && !source.path("code").isNull())
				? source.path("code").asString() : null;
		return new ApiError(status, (type != null) ? type : openAiTypeFor(status), code,
				(message != null) ? message : unreadableMessage(status, body), null, this.provider);
	}

	private static @Nullable String message(JsonNode source) {
		for (String field : new String[] { "message", "detail", "error" }) {
			JsonNode value = source.path(field);
			if (value.isString() && !value.stringValue().isBlank()) {
				return value.stringValue();
			}
			if (value.isArray() && !value.isEmpty()) {
				return value.toString();
			}
		}
		return null;
	}

	private @Nullable JsonNode root(String body) {
		try {
			JsonNode node = this.mapper.readTree(body);
			return (node != null && node.isObject()) ? node : null;
		}
		catch (JacksonException ex) {
			return null;
		}
	}

}
