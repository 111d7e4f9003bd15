package dev.ferry.batch;

import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * Unguessable random ids, drawn without blocking: a DRBG seeded once when the class is
 * loaded, where {@code UUID.randomUUID()} would read {@code /dev/urandom} on every call
 * (a file read, on whatever thread asks, event loops included).
 */
public final class RandomIds {

	private static final SecureRandom RANDOM = drbg();

	private RandomIds() {
	}

	/**
	 * Loads the class, drawing the seed on the calling thread: called at start-up, so
	 * that no event loop ever waits for it.
	 */
	public static void seed() {
		RANDOM.nextBytes(new byte[1]);
	}

	/**
	 * Random bytes in lower-case hex.
	 * @param bytes how many random bytes (the text is twice as long)
	 * @return the hex text
	 */
	public static String hex(int bytes) {
		byte[] random = new byte[bytes];
		RANDOM.nextBytes(random);
		return HexFormat.of().formatHex(random);
	}

	private static SecureRandom drbg() {
		try {
			SecureRandom random = SecureRandom.getInstance("DRBG");
			random.nextBytes(new byte[1]);
			return random;
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException("DRBG is part of every Java platform since 9", ex);
		}
	}

}
