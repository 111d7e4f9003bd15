package dev.ferry.storage;

/**
 * The store could not be reached or failed to answer: the operation may be retried later.
 * Nothing was half-written; a write either landed whole or not at all.
 */
public final class StorageUnavailableException extends RuntimeException {

	public StorageUnavailableException(String message, Throwable cause) {
		super(message, cause);
	}

}
