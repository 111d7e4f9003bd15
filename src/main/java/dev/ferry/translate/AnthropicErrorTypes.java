package dev.ferry.translate;

/**
 * Anthropic's error types and the HTTP statuses they go with, per Anthropic's documented
 * pairs: what an error becomes when it crosses between the two formats.
 */
public final class AnthropicErrorTypes {

	private AnthropicErrorTypes() {
	}

	/**
	 * Anthropic's error type for an HTTP status.
	 * @param status the status
	 * @return the type, {@code api_error} for unlisted 5xx and
	 * {@code invalid_request_error} for unlisted 4xx
	 */
	public static String typeFor(int status) {
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
	 * The HTTP status that goes with an Anthropic error type.
	 * @param type the error type
	 * @return the status, 500 for a type Anthropic does not document
	 */
	public static int statusFor(String type) {
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
