package dev.ferry.provider.sandbox;

import java.util.regex.Pattern;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

import dev.ferry.storage.BlobStore;

/**
 * The sandbox's records of one kind, one small JSON blob each in the blob store, so that
 * every replica sharing the store sees the same files and batches.
 *
 * @param <T> the record type
 */
final class SandboxRecords<T> {

	/** Ids the sandbox mints; anything else cannot name a record. */
	private static final Pattern ID = Pattern.compile("[A-Za-z0-9_-]{1,128}");

	private final BlobStore blobs;

	private final JsonMapper mapper;

	private final String folder;

	private final Class<T> type;

	SandboxRecords(BlobStore blobs, JsonMapper mapper, String folder, Class<T> type) {
		this.blobs = blobs;
		this.mapper = mapper;
		this.folder = folder;
		this.type = type;
	}

	/**
	 * Writes a record once: the first of several replicas writing the same id wins.
	 * @return the record kept under the id
	 */
	Mono<T> create(String id, T record) {
		return this.blobs.create(key(id), this.mapper.writeValueAsBytes(record))
			.flatMap((created) -> created.won() ? Mono.just(record) : get(id));
	}

	/** The record, or empty for an id that names none. */
	Mono<T> get(String id) {
		if (!ID.matcher(id).matches()) {
			return Mono.empty();
		}
		return this.blobs.get(key(id)).map((found) -> this.mapper.readValue(found.bytes(), this.type));
	}

	Mono<Void> delete(String id) {
		return this.blobs.delete(key(id));
	}

	Flux<T> all() {
		return this.blobs.list(this.folder)
			.filter((name) -> name.endsWith(".json"))
			.flatMapSequential((name) -> get(name.substring(0, name.length() - ".json".length())), 8);
	}

	private String key(String id) {
		return this.folder + "/" + id + ".json";
	}

}
