package dev.ferry.batch;

import java.time.Duration;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.jspecify.annotations.Nullable;

/**
 * The {@code completion_window} values a provider accepts: a fixed set, or every whole
 * number of hours or days within a range.
 */
public final class CompletionWindows {

	private static final Pattern DURATION = Pattern.compile("([1-9][0-9]{0,4})([hd])");

	private final Set<String> exact;

	private final @Nullable Duration min;

	private final @Nullable Duration max;

	private CompletionWindows(Set<String> exact, @Nullable Duration min, @Nullable Duration max) {
		this.exact = Set.copyOf(exact);
		this.min = min;
		this.max = max;
	}

	/**
	 * Exactly these values.
	 * @param values the values, such as {@code 24h}
	 * @return the windows
	 */
	public static CompletionWindows only(String... values) {
		return new CompletionWindows(Set.of(values), null, null);
	}

	/**
	 * Any whole number of hours ({@code 36h}) or days ({@code 3d}) from {@code min} to
	 * {@code max}.
	 * @param min the shortest window
	 * @param max the longest window
	 * @return the windows
	 */
	public static CompletionWindows between(Duration min, Duration max) {
		return new CompletionWindows(Set.of(), min, max);
	}

	/**
	 * Whether a window is accepted.
	 * @param window the caller's value
	 * @return true when the provider takes it
	 */
	public boolean accepts(String window) {
		if (this.exact.contains(window)) {
			return true;
		}
		if (this.min == null || this.max == null) {
			return false;
		}
		Matcher matcher = DURATION.matcher(window);
		if (!matcher.matches()) {
			return false;
		}
		long amount = Long.parseLong(matcher.group(1));
		Duration duration = matcher.group(2).equals("h") ? Duration.ofHours(amount) : Duration.ofDays(amount);
		return duration.compareTo(this.min) >= 0 && duration.compareTo(this.max) <= 0;
	}

	/**
	 * How long a window lasts.
	 * @param window a window in hours or days, such as {@code 24h} or {@code 7d}
	 * @return its length in seconds
	 * @throws IllegalArgumentException for any other form
	 */
	public static long seconds(String window) {
		Matcher matcher = DURATION.matcher(window);
		if (!matcher.matches()) {
			throw new IllegalArgumentException("not a window in hours or days: " + window);
		}
		long amount = Long.parseLong(matcher.group(1));
		return matcher.group(2).equals("h") ? amount * 3600 : amount * 86_400;
	}

	/**
	 * What is accepted, for error messages and the providers list.
	 * @return such as {@code 24h} or {@code 24h to 7d (hours or days)}
	 */
	public String describe() {
		if (this.min == null || this.max == null) {
			return String.join(", ", new TreeSet<>(this.exact));
		}
		return hoursOrDays(this.min) + " to " + hoursOrDays(this.max) + " (whole hours or days, such as 48h or 3d)";
	}

	private static String hoursOrDays(Duration duration) {
		return (duration.toHours() % 24 == 0 && duration.toHours() > 24) ? duration.toDays() + "d"
				: duration.toHours() + "h";
	}

	@Override
	public String toString() {
		return describe();
	}

}
