package dev.ferry.batch;

import java.util.regex.Pattern;

/**
 * Checks of values callers send, with errors that say what was wrong and what is
 * accepted.
 */
public final class Params {

	private Params() {
	}

	/**
	 * A value that must match a pattern, such as an id in a provider's alphabet; ids are
	 * checked before they go anywhere near an upstream URL.
	 * @param name the parameter name
	 * @param value the value
	 * @param pattern the accepted values
	 * @param description the accepted values, for the error message
	 * @return the value
	 */
	public static String matching(String name, String value, Pattern pattern, String description) {
		if (!pattern.matcher(value).matches()) {
			throw ApiError.invalid(name, name + ": '" + printable(value) + "' (expected: " + description + ")");
		}
		return value;
	}

	private static String printable(String value) {
		String shown = (value.length() > 80) ? value.substring(0, 80) + "…" : value;
		StringBuilder out = new StringBuilder(shown.length());
		shown.codePoints()
			.forEach(
					(c) -> out.append(Character.isISOControl(c) ? String.format("\\u%04x", c) : Character.toString(c)));
		return out.toString();
	}

}
