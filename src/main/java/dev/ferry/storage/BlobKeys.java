package dev.ferry.storage;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.regex.Pattern;

/**
 * The keys every store accepts: the same on disk and in a bucket, and never able to
 * escape the store's root.
 */
public final class BlobKeys {

	private static final Pattern KEY = Pattern.compile("[A-Za-z0-9._/-]{1,512}");

	private BlobKeys() {
	}

	/**
	 * Any text as one part of a key: its UTF-8 in unpadded base64url, which holds no
	 * {@code /} and no {@code .}, so that parts can be joined with either.
	 * @param text the text, such as a provider's batch id
	 * @return the part
	 */
	public static String part(String text) {
		return Base64.getUrlEncoder().withoutPadding().encodeToString(text.getBytes(StandardCharsets.UTF_8));
	}

	/**
	 * The text a key part stands for.
	 * @param part a part made by {@link #part}
	 * @return the text
	 */
	public static String text(String part) {
		return new String(Base64.getUrlDecoder().decode(part), StandardCharsets.UTF_8);
	}

	public static String checked(String key) {
		if (!KEY.matcher(key).matches() || key.contains("..") || key.startsWith("/")) {
			throw new IllegalArgumentException("blob key: '" + key + "' (expected: [A-Za-z0-9._/-]{1,512}, no '..')");
		}
		return key;
	}

}
