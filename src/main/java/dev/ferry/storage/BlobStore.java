package dev.ferry.storage;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.core.io.buffer.DataBuffer;

/**
 * Streams bytes to and from storage under flat string keys, never holding a blob in
 * memory.
 */
public interface BlobStore {

	/**
	 * Writes a blob, replacing any previous one under the key once it is complete.
	 * @param key the key, made of {@code [A-Za-z0-9._/-]} without {@code ..}
	 * @param content the bytes; each buffer is released once written
	 * @return the number of bytes written
	 */
	Mono<Long> write(String key, Flux<DataBuffer> content);

	/**
	 * Writes a small blob only if there is none under the key, atomically: of two writers
	 * racing, exactly one wins.
	 * @param key the key, as for {@link #write}
	 * @param content the bytes
	 * @return whether this call wrote the blob
	 */
	Mono<Boolean> writeIfAbsent(String key, byte[] content);

	/**
	 * Reads a blob as a stream of buffers.
	 * @param key the key
	 * @return the content; a {@link BlobNotFoundException} if there is no such blob
	 */
	Flux<DataBuffer> read(String key);

	/**
	 * Deletes a blob.
	 * @param key the key
	 * @return whether a blob was deleted
	 */
	Mono<Boolean> delete(String key);

	/**
	 * The names of the blobs directly under a folder, in no particular order.
	 * @param folder a key prefix ending at a {@code /} boundary, such as
	 * {@code held/anthropic}
	 * @return the names relative to the folder; none if the folder does not exist
	 */
	Flux<String> list(String folder);

}
