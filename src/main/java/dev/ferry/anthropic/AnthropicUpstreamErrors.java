package dev.ferry.anthropic;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import dev.ferry.web.ApiError;
import dev.ferry.web.UpstreamErrors;

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
		return new ApiError(status, (type != null) ? type : typeFor(status), null,
				(message != null) ? message : unreadableMessage(status, body), null, this.provider);
	}

	/** Anthropic's error type for a status, per its documented pairs. */
	static String typeFor(int status) {
		return switch (status) {
			case 400 -> "invalid_request_error";
			case 401 -> "authentication_error";
			case 402 -> "billing_error";
			case 403 -> "permission_error";
			case 404 -> "not_found_error";
			case 413 -> "request_too_large";
			case 429 -> "rate_limit_error";
			case 504 -> "timeout_error";
			case 529 -> "overloaded_error";
			default -> (status >= 500) ? "api_error" : "invalid_request_error";
		};
	}

	/**
	 * The HTTP status that goes with an Anthropic error type, per its documented pairs.
	 */
	static int statusFor(String type) {
		return switch (type) {
			case "invalid_request_error" -> 400;
			case "authentication_error" -> 401;
			case "billing_error" -> 402;
			case "permission_error" -> 403;
			case "not_found_error" -> 404;
			case "request_too_large" -> 413;
			case "rate_limit_error" -> 429;
			case "timeout_error" -> 504;
			case "overloaded_error" -> 529;
			default -> 500;
		};
	}

}
