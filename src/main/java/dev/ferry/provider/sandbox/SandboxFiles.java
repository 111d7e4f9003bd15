package dev.ferry.provider.sandbox;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Comparator;
import java.util.Set;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

import dev.ferry.batch.ApiError;
import dev.ferry.batch.PageQuery;
import dev.ferry.files.UploadToBlob;
import dev.ferry.storage.BlobStore;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.codec.multipart.PartEvent;

/**
 * The sandbox's files: uploads streamed to the blob store, checked line by line on the
 * way when their purpose is {@code batch}, plus the generated output and error files. A
 * record per file in the store makes every file visible to every replica.
 */
final class SandboxFiles {

	static final Set<String> PURPOSES = Set.of("assistants", "batch", "fine-tune", "vision", "user_data", "evals");

	private final String provider;

	private final BlobStore blobs;

	private final UploadToBlob uploads;

	private final SandboxRecords<SandboxFile> records;

	private final Clock clock;

	SandboxFiles(String provider, BlobStore blobs, JsonMapper mapper, int maxLineBytes, Clock clock) {
		this.provider = provider;
		this.blobs = blobs;
		this.uploads = new UploadToBlob(blobs, mapper, maxLineBytes);
		this.records = new SandboxRecords<>(blobs, mapper, folder() + "/records", SandboxFile.class);
		this.clock = clock;
	}

	/**
	 * Streams the file part to the blob store, checking its lines on the way when its
	 * purpose is {@code batch}.
	 */
	Mono<SandboxFile> upload(Flux<PartEvent> events) {
		String id = SandboxIds.mint("file-");
		return this.uploads.write(contentKey(id), events, PURPOSES)
			.flatMap((stored) -> this.records.create(id, new SandboxFile(id, stored.filename(), stored.purpose(),
					stored.bytes(), now(), SandboxFile.Kind.UPLOAD, null, this.clock.millis())));
	}

	/** Records a generated file; replicas registering the same id keep the first. */
	Mono<SandboxFile> register(String id, String filename, long bytes, SandboxFile.Kind kind, String batchId) {
		return this.records.create(id,
				new SandboxFile(id, filename, "batch_output", bytes, now(), kind, batchId, this.clock.millis()));
	}

	Mono<SandboxFile> get(String id) {
		return this.records.get(id)
			.switchIfEmpty(Mono.error(() -> ApiError.notFound(this.provider, "No such File object: " + id)));
	}

	Flux<DataBuffer> uploadedContent(String id) {
		return this.blobs.read(contentKey(id));
	}

	/**
	 * Keeps an upload's bytes even once the file is deleted: a batch's results are
	 * generated from its input.
	 * @param id the input file
	 */
	Mono<Void> retain(String id) {
		return this.blobs.create(retainedKey(id), id.getBytes(StandardCharsets.US_ASCII)).then();
	}

	Mono<SandboxFile> delete(String id) {
		return get(id).flatMap((file) -> this.records.delete(id).then(Mono.defer(() -> {
			if (file.kind() != SandboxFile.Kind.UPLOAD) {
				return Mono.just(file);
			}
			return this.blobs.get(retainedKey(id))
				.hasElement()
				.flatMap((retained) -> retained ? Mono.just(file) : this.blobs.delete(contentKey(id)).thenReturn(file));
		})));
	}

	Mono<SandboxPages.Page<SandboxFile>> list(PageQuery query) {
		Comparator<SandboxFile> order = Comparator.comparingLong(SandboxFile::sequence).thenComparing(SandboxFile::id);
		Comparator<SandboxFile> listed = "asc".equals(query.order()) ? order : order.reversed();
		return this.records.all()
			.filter((file) -> query.purpose() == null || query.purpose().equals(file.purpose()))
			.sort(listed)
			.collectList()
			.map((files) -> SandboxPages.after(files, query, SandboxFile::id));
	}

	private String folder() {
		return "sandbox/" + this.provider + "/files";
	}

	private String contentKey(String id) {
		return folder() + "/" + id;
	}

	private String retainedKey(String id) {
		return folder() + "/retained/" + id;
	}

	private long now() {
		return this.clock.instant().getEpochSecond();
	}

}
