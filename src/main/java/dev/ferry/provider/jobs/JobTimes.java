package dev.ferry.provider.jobs;

import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * Reads the timestamps job-style providers send, whichever form they take: Unix seconds,
 * RFC 3339 with an offset or without one (read as UTC), or a bare {@code YYYY-MM-DD} date
 * (xAI over REST), read as the start of that day in UTC.
 */
public final class JobTimes {

	private JobTimes() {
	}

	/**
	 * A timestamp field in Unix seconds.
	 * @param node the object
	 * @param field the field
	 * @return the time, or {@code null} when absent, null or unreadable
	 */
	public static @Nullable Long seconds(JsonNode node, String field) {
		JsonNode value = node.path(field);
		if (value.isNumber()) {
			return value.asLong();
		}
		if (!value.isString() || value.stringValue().isBlank()) {
			return null;
		}
		return parse(value.stringValue().trim());
	}

	static @Nullable Long parse(String text) {
		try {
			return OffsetDateTime.parse(text).toEpochSecond();
		}
		catch (DateTimeParseException notOffset) {
			try {
				return LocalDateTime.parse(text).toEpochSecond(ZoneOffset.UTC);
			}
			catch (DateTimeParseException notLocal) {
				try {
					return LocalDate.parse(text).atStartOfDay(ZoneOffset.UTC).toEpochSecond();
				}
				catch (DateTimeParseException notDate) {
					return instantOrNull(text);
				}
			}
		}
	}

	private static @Nullable Long instantOrNull(String text) {
		try {
			return Instant.parse(text).getEpochSecond();
		}
		catch (DateTimeParseException ex) {
			return null;
		}
	}

}
