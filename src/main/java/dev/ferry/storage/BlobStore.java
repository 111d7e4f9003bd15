package dev.ferry.storage;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.core.io.buffer.DataBuffer;

/**
 * Streams bytes to and from storage under flat string keys, never holding a large blob in
 * memory, and offers the two coordination primitives every shared feature of Ferry is
 * built on.
 *
 * <ul>
 * <li>{@link #create Create-only put}: of any number of writers racing for a key, exactly
 * one wins; the claim primitive (idempotency keys, leases, immutable segments).</li>
 * <li>{@link #replace Compare-and-swap put}: replaces a blob only if it still has the
 * version its writer read. Only linearizable where the store says so (S3 and the local
 * store within one process); Ferry uses it only for records with a single writer at a
 * time, such as a lease its holder renews, and never to decide a race.</li>
 * </ul>
 *
 * Keys are made of {@code [A-Za-z0-9._/-]} without {@code ..}, at most 512 characters.
 * Callers that need to tell their own win from a lost race after an unknown outcome (a
 * timeout, a retried request) put a nonce in what they write: a store that finds its own
 * bytes under the key after a failed create counts the create as won.
 */
public interface BlobStore {

	/**
	 * Writes a blob of any size as it streams, replacing any previous one under the key
	 * once it is complete: readers see the old blob or the new one, never a part.
	 * @param key the key
	 * @param content the bytes; each buffer is released once written
	 * @return the number of bytes written
	 */
	Mono<Long> write(String key, Flux<DataBuffer> content);

	/**
	 * Reads a blob as a stream of buffers.
	 * @param key the key
	 * @return the content; a {@link BlobNotFoundException} if there is no such blob
	 */
	default Flux<DataBuffer> read(String key) {
		return read(key, 0);
	}

	/**
	 * Reads a blob from a byte offset to its end.
	 * @param key the key
	 * @param offset the first byte to read; at or past the end reads nothing
	 * @return the content from the offset; a {@link BlobNotFoundException} if there is no
	 * such blob
	 */
	Flux<DataBuffer> read(String key, long offset);

	/**
	 * Reads a small blob whole, with its version.
	 * @param key the key
	 * @return the blob, or empty if there is none
	 */
	Mono<VersionedBlob> get(String key);

	/**
	 * Writes a small blob only if there is none under the key (create-only put,
	 * {@code If-None-Match: *}).
	 * @param key the key
	 * @param content the bytes
	 * @return {@link ConditionalWrite.Outcome#WON} with the new version, or
	 * {@link ConditionalWrite.Outcome#LOST} if the key was taken
	 */
	Mono<ConditionalWrite> create(String key, byte[] content);

	/**
	 * Replaces a small blob only if its version is still the expected one
	 * (compare-and-swap put, {@code If-Match}).
	 * @param key the key
	 * @param content the new bytes
	 * @param expected the version the caller read
	 * @return {@link ConditionalWrite.Outcome#WON} with the new version,
	 * {@link ConditionalWrite.Outcome#LOST} if another version is there, or
	 * {@link ConditionalWrite.Outcome#MISSING} if no blob is
	 */
	Mono<ConditionalWrite> replace(String key, byte[] content, BlobVersion expected);

	/**
	 * Writes a small blob only if there is none under the key.
	 * @param key the key
	 * @param content the bytes
	 * @return whether this call wrote the blob
	 */
	default Mono<Boolean> writeIfAbsent(String key, byte[] content) {
		return create(key, content).map(ConditionalWrite::won);
	}

	/**
	 * Deletes a blob; deleting a missing blob is not an error.
	 * @param key the key
	 * @return completion
	 */
	Mono<Void> delete(String key);

	/**
	 * The names of the blobs directly under a folder, in no particular order, read page
	 * by page from the store.
	 * @param folder a key prefix ending at a {@code /} boundary, such as
	 * {@code held/anthropic}
	 * @return the names relative to the folder; none if the folder does not exist
	 */
	Flux<String> list(String folder);

	/**
	 * Where the blobs are, for start-up messages and the README's terms.
	 * @return a description such as {@code s3://bucket/prefix}
	 */
	String describe();

}
