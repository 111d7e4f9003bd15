package dev.ferry.results;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * One non-blank line of a JSONL stream, as the bytes it arrived in, so that a line
 * carried over unchanged is never decoded and encoded again.
 *
 * @param number the 1-based line number in the stream, counting blank lines
 * @param bytes the line's UTF-8 bytes without its line terminator; not to be modified
 * @param end the byte offset just past the line and its terminator, where reading resumes
 * after it
 */
public record JsonLine(long number, byte[] bytes, long end) {

	/**
	 * A line from its text.
	 * @param number the line number
	 * @param text the line without its terminator
	 * @param end the byte offset just past the line
	 */
	public JsonLine(long number, String text, long end) {
		this(number, text.getBytes(StandardCharsets.UTF_8), end);
	}

	/**
	 * The line decoded.
	 * @return the line's text
	 */
	public String text() {
		return new String(this.bytes, StandardCharsets.UTF_8);
	}

	@Override
	public boolean equals(Object other) {
		return other instanceof JsonLine line && this.number == line.number && this.end == line.end
				&& Arrays.equals(this.bytes, line.bytes);
	}

	@Override
	public int hashCode() {
		return 31 * Long.hashCode(this.number) + Arrays.hashCode(this.bytes);
	}

	@Override
	public String toString() {
		return "JsonLine[number=" + this.number + ", text=" + text() + ", end=" + this.end + "]";
	}

}
