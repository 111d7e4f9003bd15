package dev.ferry.provider.sandbox;

import org.jspecify.annotations.Nullable;

/**
 * A file the sandbox holds: an upload, whose bytes are in the blob store, or a batch's
 * output or error file, generated from its input on every read.
 *
 * @param id the file id
 * @param filename the file name
 * @param purpose the purpose
 * @param bytes the size in bytes
 * @param createdAt when it was created, in Unix seconds
 * @param kind what the file holds
 * @param batchId the batch a generated file belongs to
 * @param sequence when it was created, in epoch milliseconds: the listing order, ties
 * broken by id
 */
record SandboxFile(String id, String filename, String purpose, long bytes, long createdAt, Kind kind,
		@Nullable String batchId, long sequence) {

	enum Kind {

		/** Uploaded bytes, kept in the blob store. */
		UPLOAD,

		/** A batch's successful results, generated lazily. */
		OUTPUT,

		/** A batch's failed requests, generated lazily. */
		ERRORS

	}

}
