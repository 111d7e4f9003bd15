package dev.ferry.conformance;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.jspecify.annotations.Nullable;

/**
 * Reads a {@code multipart/form-data} body as a replica receives it.
 */
final class Multipart {

	private static final Pattern BOUNDARY = Pattern.compile("boundary=\"?([^\";]+)\"?");

	private static final Pattern NAME = Pattern.compile("\\bname=\"([^\"]*)\"");

	private static final Pattern FILENAME = Pattern.compile("\\bfilename=\"([^\"]*)\"");

	private Multipart() {
	}

	/**
	 * The parts of a body.
	 * @param contentType the request's content type, with its boundary
	 * @param body the body
	 * @return the parts, in order
	 * @throws IllegalArgumentException for a body that is not multipart
	 */
	static List<Part> parse(@Nullable String contentType, byte[] body) {
		Matcher boundary = (contentType != null) ? BOUNDARY.matcher(contentType) : null;
		if (boundary == null || !contentType.startsWith("multipart/form-data") || !boundary.find()) {
			throw new IllegalArgumentException("not multipart/form-data: " + contentType);
		}
		byte[] delimiter = ("--" + boundary.group(1)).getBytes(StandardCharsets.US_ASCII);
		List<Part> parts = new ArrayList<>();
		int at = indexOf(body, delimiter, 0);
		while (at >= 0) {
			int start = at + delimiter.length;
			if (start + 1 < body.length && body[start] == '-' && body[start + 1] == '-') {
				return parts;
			}
			start += 2;
			int next = indexOf(body, delimiter, start);
			if (next < 0) {
				throw new IllegalArgumentException("the body ends before its closing boundary");
			}
			int headersEnd = indexOf(body, "\r\n\r\n".getBytes(StandardCharsets.US_ASCII), start);
			String headers = new String(body, start, headersEnd - start, StandardCharsets.UTF_8);
			Matcher name = NAME.matcher(headers);
			Matcher filename = FILENAME.matcher(headers);
			parts.add(new Part(name.find() ? name.group(1) : "", filename.find() ? filename.group(1) : null,
					Arrays.copyOfRange(body, headersEnd + 4, next - 2)));
			at = next;
		}
		throw new IllegalArgumentException("no boundary in the body");
	}

	private static int indexOf(byte[] haystack, byte[] needle, int from) {
		outer: for (int i = from; i <= haystack.length - needle.length; i++) {
			for (int j = 0; j < needle.length; j++) {
				if (haystack[i + j] != needle[j]) {
					continue outer;
				}
			}
			return i;
		}
		return -1;
	}

	/**
	 * One part.
	 *
	 * @param name its form name
	 * @param filename its file name, for a file part
	 * @param content its bytes
	 */
	record Part(String name, @Nullable String filename, byte[] content) {

		String text() {
			return new String(this.content, StandardCharsets.UTF_8);
		}

	}

}
