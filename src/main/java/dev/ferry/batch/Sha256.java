package dev.ferry.batch;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * SHA-256, for the digests Ferry derives names and lookups from.
 */
public final class Sha256 {

	private Sha256() {
	}

	/**
	 * The digest of some bytes.
	 * @param bytes the bytes
	 * @return the 32-byte digest
	 */
	public static byte[] digest(byte[] bytes) {
		try {
			return MessageDigest.getInstance("SHA-256").digest(bytes);
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException("SHA-256 is part of every Java platform", ex);
		}
	}

	/**
	 * The digest of a text's UTF-8 bytes, in lower-case hex, as {@code sha256sum} prints
	 * it.
	 * @param text the text
	 * @return 64 hex digits
	 */
	public static String hex(String text) {
		return HexFormat.of().formatHex(digest(text.getBytes(StandardCharsets.UTF_8)));
	}

}
