package dev.ferry.storage;

/**
 * There is no blob under a key.
 */
public final class BlobNotFoundException extends RuntimeException {

	public BlobNotFoundException(String key) {
		super("no blob under '" + key + "'");
	}

}
