package dev.ferry.dialect;

import java.util.regex.Pattern;

import org.jspecify.annotations.Nullable;

import dev.ferry.batch.ApiError;
import dev.ferry.batch.Params;

import org.springframework.web.reactive.function.server.ServerRequest;

/**
 * Checks query and path parameters, with errors that say what was wrong and what is
 * accepted.
 */
public final class RequestParams {

	private RequestParams() {
	}

	/**
	 * An integer query parameter within bounds.
	 * @param request the request
	 * @param name the parameter name
	 * @param defaultValue the value when the parameter is absent
	 * @param min the smallest accepted value
	 * @param max the largest accepted value
	 * @return the value
	 */
	public static int boundedInt(ServerRequest request, String name, int defaultValue, int min, int max) {
		String raw = request.queryParam(name).orElse(null);
		if (raw == null) {
			return defaultValue;
		}
		int value;
		try {
			value = Integer.parseInt(raw.trim());
		}
		catch (NumberFormatException ex) {
			throw ApiError.invalid(name, name + ": '" + raw + "' (expected: an integer in " + min + ".." + max + ")");
		}
		if (value < min || value > max) {
			throw ApiError.invalid(name, name + ": " + value + " (expected: " + min + ".." + max + ")");
		}
		return value;
	}

	/**
	 * An optional query parameter that must match a pattern when present.
	 * @param request the request
	 * @param name the parameter name
	 * @param pattern the accepted values
	 * @param description the accepted values, for the error message
	 * @return the value or {@code null}
	 */
	public static @Nullable String optional(ServerRequest request, String name, Pattern pattern, String description) {
		String raw = request.queryParam(name).orElse(null);
		if (raw == null || raw.isEmpty()) {
			return null;
		}
		return Params.matching(name, raw, pattern, description);
	}

}
