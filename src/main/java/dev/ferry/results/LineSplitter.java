package dev.ferry.results;

import java.io.ByteArrayOutputStream;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Splits bytes fed in chunks into JSONL lines, carrying a partial line between chunks.
 *
 * <p>
 * Lines end in LF or CRLF; the last may lack a newline. Blank lines are skipped but
 * counted. Not thread-safe: one splitter per stream.
 */
public final class LineSplitter {

	private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

	private static final long NEWLINES = 0x0A0A0A0A0A0A0A0AL;

	private static final long ONES = 0x0101010101010101L;

	private static final long HIGH_BITS = 0x8080808080808080L;

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
		return feed(bytes, 0, bytes.length);
	}

	/**
	 * Feeds a chunk held in part of an array, which is not kept.
	 * @param bytes the array
	 * @param offset where the chunk starts in it
	 * @param length the chunk's bytes
	 * @return the lines the chunk completed
	 * @throws LineTooLongException when a line grows past the limit
	 */
	public List<JsonLine> feed(byte[] bytes, int offset, int length) {
		List<JsonLine> lines = new ArrayList<>();
		int start = offset;
		int end = offset + length;
		for (int i = indexOfNewline(bytes, offset, end); i >= 0; i = indexOfNewline(bytes, i + 1, end)) {
			completeLine(lines, lineUpTo(bytes, start, i), this.fed + (i - offset) + 1);
			start = i + 1;
		}
		append(bytes, start, end - start);
		this.fed += length;
		return lines;
	}

	/**
	 * Ends the stream.
	 * @return the last line, if the stream did not end with a newline
	 */
	public List<JsonLine> finish() {
		List<JsonLine> lines = new ArrayList<>(1);
		if (this.partial.size() > 0) {
			completeLine(lines, takePartial(), this.fed);
		}
		return lines;
	}

	private void append(byte[] bytes, int offset, int length) {
		requireRoomFor(length);
		this.partial.write(bytes, offset, length);
	}

	/** Fails the stream when {@code length} more bytes would make the line too long. */
	private void requireRoomFor(int length) {
		if (this.partial.size() + length > this.maxLineBytes) {
			throw new LineTooLongException(this.lineNumber + 1, this.maxLineBytes);
		}
	}

	/**
	 * A line ending in this chunk, copied once: straight from the chunk when it began in
	 * it.
	 */
	private byte[] lineUpTo(byte[] bytes, int start, int newline) {
		if (this.partial.size() == 0) {
			requireRoomFor(newline - start);
			return Arrays.copyOfRange(bytes, start, newline);
		}
		append(bytes, start, newline - start);
		return takePartial();
	}

	private byte[] takePartial() {
		byte[] line = this.partial.toByteArray();
		this.partial.reset();
		return line;
	}

	private void completeLine(List<JsonLine> lines, byte[] line, long end) {
		this.lineNumber++;
		int length = (line.length > 0 && line[line.length - 1] == '\r') ? line.length - 1 : line.length;
		if (!isBlank(line, length)) {
			lines.add(new JsonLine(this.lineNumber, (length == line.length) ? line : Arrays.copyOf(line, length), end));
		}
	}

	/**
	 * Blank as {@link String#isBlank()} has it, for the ASCII whitespace JSONL can hold.
	 */
	private static boolean isBlank(byte[] line, int length) {
		for (int i = 0; i < length; i++) {
			if (line[i] < 0 || !Character.isWhitespace(line[i])) {
				return false;
			}
		}
		return true;
	}

	/**
	 * Where the next newline is, or -1. Scans eight bytes at a time: the scan for line
	 * ends is the framing's hottest loop.
	 */
	static int indexOfNewline(byte[] bytes, int from, int end) {
		int i = from;
		for (; i + Long.BYTES <= end; i += Long.BYTES) {
			// A byte is 0 in x exactly where it is a newline; the lowest byte flagged by
			// the zero-byte test is always a true zero.
			long x = (long) LONGS.get(bytes, i) ^ NEWLINES;
			long zeros = (x - ONES) & ~x & HIGH_BITS;
			if (zeros != 0) {
				return i + (Long.numberOfTrailingZeros(zeros) >>> 3);
			}
		}
		for (; i < end; i++) {
			if (bytes[i] == '\n') {
				return i;
			}
		}
		return -1;
	}

}
