package dev.ferry.results;

/**
 * A JSONL line was longer than the configured maximum.
 */
public final class LineTooLongException extends RuntimeException {

	private final long lineNumber;

	LineTooLongException(long lineNumber, int maxLineBytes) {
		super("line " + lineNumber + " is longer than " + maxLineBytes + " bytes");
		this.lineNumber = lineNumber;
	}

	public long lineNumber() {
		return this.lineNumber;
	}

}
