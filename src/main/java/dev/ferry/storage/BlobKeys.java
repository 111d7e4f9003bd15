package dev.ferry.storage;

import java.util.regex.Pattern;

/**
 * The keys every store accepts: the same on disk and in a bucket, and never able to
 * escape the store's root.
 */
public final class BlobKeys {

	private static final Pattern KEY = Pattern.compile("[A-Za-z0-9._/-]{1,512}");

	private BlobKeys() {
	}

	public static String checked(String key) {
		if (!KEY.matcher(key).matches() || key.contains("..") || key.startsWith("/")) {
			throw new IllegalArgumentException("blob key: '" + key + "' (expected: [A-Za-z0-9._/-]{1,512}, no '..')");
		}
		return key;
	}

}
