package dev.ferry.provider.anthropic;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import dev.ferry.batch.ApiError;
import dev.ferry.translate.AnthropicErrorTypes;
import dev.ferry.upstream.UpstreamErrors;

/**
 * Reads Anthropic's error bodies ({@code {"type":"error","error":{type,message}}}),
 * keeping the status, type and message.
 */
final class AnthropicUpstreamErrors extends UpstreamErrors {

	AnthropicUpstreamErrors(String provider, JsonMapper mapper) {
		super(provider, mapper);
	}

	@Override
	public ApiError parse(int status, String body) {
		JsonNode error = errorObject(body);
		String type = (error != null) ? text(error, "type") : null;
		String message = (error != null) ? text(error, "message") : null;
		return new ApiError(status, (type != null) ? type : AnthropicErrorTypes.typeFor(status), null,
				(message != null) ? message : unreadableMessage(status, body), null, this.provider);
	}

}
