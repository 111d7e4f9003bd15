package dev.ferry.provider.openai;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import dev.ferry.batch.ApiError;
import dev.ferry.upstream.UpstreamErrors;

/**
 * Reads OpenAI-format error bodies ({@code {"error":{message,type,param,code}}}), keeping
 * every field.
 */
final class OpenAiUpstreamErrors extends UpstreamErrors {

	OpenAiUpstreamErrors(String provider, JsonMapper mapper) {
		super(provider, mapper);
	}

	@Override
	public ApiError parse(int status, String body) {
		JsonNode error = errorObject(body);
		if (error == null) {
			return new ApiError(status, openAiTypeFor(status), null, unreadableMessage(status, body), null,
					this.provider);
		}
		String type = text(error, "type");
		String message = text(error, "message");
		return new ApiError(status, (type != null) ? type : openAiTypeFor(status), text(error, "code"),
				(message != null) ? message : unreadableMessage(status, ""), text(error, "param"), this.provider);
	}

}
