package dev.ferry.results;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import tools.jackson.core.SerializableString;
import tools.jackson.core.io.SerializedString;

/**
 * JSON text kept as the UTF-8 bytes it was cut from or written to, for a generator to
 * copy into its output with {@code writeRawValue}: a result carried into a page is never
 * decoded, parsed into a tree or encoded again. Only the unquoted UTF-8 forms are fast;
 * the others, which JSON output over bytes never asks for, decode first.
 */
public final class RawJson implements SerializableString {

	private final byte[] bytes;

	private final int offset;

	private final int length;

	/**
	 * JSON text held in part of an array, which must not change afterwards.
	 * @param bytes the array
	 * @param offset where the text starts
	 * @param length the text's length in bytes
	 */
	public RawJson(byte[] bytes, int offset, int length) {
		this.bytes = bytes;
		this.offset = offset;
		this.length = length;
	}

	/**
	 * The text's length.
	 * @return its length in UTF-8 bytes
	 */
	public int byteLength() {
		return this.length;
	}

	@Override
	public String getValue() {
		return new String(this.bytes, this.offset, this.length, StandardCharsets.UTF_8);
	}

	@Override
	public int charLength() {
		return getValue().length();
	}

	@Override
	public byte[] asUnquotedUTF8() {
		return Arrays.copyOfRange(this.bytes, this.offset, this.offset + this.length);
	}

	@Override
	public int appendUnquotedUTF8(byte[] buffer, int at) {
		if (this.length > buffer.length - at) {
			return -1;
		}
		System.arraycopy(this.bytes, this.offset, buffer, at, this.length);
		return this.length;
	}

	@Override
	public int writeUnquotedUTF8(OutputStream out) throws IOException {
		out.write(this.bytes, this.offset, this.length);
		return this.length;
	}

	@Override
	public int putUnquotedUTF8(ByteBuffer buffer) {
		if (this.length > buffer.remaining()) {
			return -1;
		}
		buffer.put(this.bytes, this.offset, this.length);
		return this.length;
	}

	@Override
	public int appendUnquoted(char[] buffer, int at) {
		String value = getValue();
		if (value.length() > buffer.length - at) {
			return -1;
		}
		value.getChars(0, value.length(), buffer, at);
		return value.length();
	}

	@Override
	public char[] asQuotedChars() {
		return quoted().asQuotedChars();
	}

	@Override
	public byte[] asQuotedUTF8() {
		return quoted().asQuotedUTF8();
	}

	@Override
	public int appendQuotedUTF8(byte[] buffer, int at) {
		return quoted().appendQuotedUTF8(buffer, at);
	}

	@Override
	public int appendQuoted(char[] buffer, int at) {
		return quoted().appendQuoted(buffer, at);
	}

	@Override
	public int writeQuotedUTF8(OutputStream out) throws IOException {
		return quoted().writeQuotedUTF8(out);
	}

	@Override
	public int putQuotedUTF8(ByteBuffer buffer) throws IOException {
		return quoted().putQuotedUTF8(buffer);
	}

	/** The text as a JSON string value would carry it, for the rare quoted forms. */
	private SerializedString quoted() {
		return new SerializedString(getValue());
	}

	@Override
	public String toString() {
		return getValue();
	}

}
