package dev.ferry.results;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Splits bytes fed in chunks into JSONL lines, carrying a partial line between chunks.
 *
 * <p>
 * Lines end in LF or CRLF; the last may lack a newline. Blank lines are skipped but
 * counted. Not thread-safe: one splitter per stream.
 */
public final class LineSplitter {

	private final int maxLineBytes;

	private final ByteArrayOutputStream partial = new ByteArrayOutputStream();

	private long lineNumber;

	/** Bytes fed before the current chunk. */
	private long fed;

	/**
	 * A splitter refusing lines longer than a limit.
	 * @param maxLineBytes the longest line accepted, in bytes
	 */
	public LineSplitter(int maxLineBytes) {
		this(maxLineBytes, 0);
	}

	/**
	 * A splitter for a stream read from a byte offset, so the lines' end offsets count
	 * from the start of the whole stream.
	 * @param maxLineBytes the longest line accepted, in bytes
	 * @param startOffset the offset of the first byte fed
	 */
	public LineSplitter(int maxLineBytes, long startOffset) {
		this.maxLineBytes = maxLineBytes;
		this.fed = startOffset;
	}

	/**
	 * Feeds a chunk.
	 * @param bytes the chunk
	 * @return the lines the chunk completed
	 * @throws LineTooLongException when a line grows past the limit
	 */
	public List<JsonLine> feed(byte[] bytes) {
		List<JsonLine> lines = new ArrayList<>();
		int start = 0;
		for (int i = 0; i < bytes.length; i++) {
			if (bytes[i] == '\n') {
				append(bytes, start, i - start);
				completeLine(lines, this.fed + i + 1);
				start = i + 1;
			}
		}
		append(bytes, start, bytes.length - start);
		this.fed += bytes.length;
		return lines;
	}

	/**
	 * Ends the stream.
	 * @return the last line, if the stream did not end with a newline
	 */
	public List<JsonLine> finish() {
		List<JsonLine> lines = new ArrayList<>(1);
		if (this.partial.size() > 0) {
			completeLine(lines, this.fed);
		}
		return lines;
	}

	private void append(byte[] bytes, int offset, int length) {
		if (this.partial.size() + length > this.maxLineBytes) {
			throw new LineTooLongException(this.lineNumber + 1, this.maxLineBytes);
		}
		this.partial.write(bytes, offset, length);
	}

	private void completeLine(List<JsonLine> lines, long end) {
		this.lineNumber++;
		String text = this.partial.toString(StandardCharsets.UTF_8);
		this.partial.reset();
		if (text.endsWith("\r")) {
			text = text.substring(0, text.length() - 1);
		}
		if (!text.isBlank()) {
			lines.add(new JsonLine(this.lineNumber, text, end));
		}
	}

}
