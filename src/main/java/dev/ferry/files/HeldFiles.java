package dev.ferry.files;

import java.time.Clock;
import java.util.Comparator;
import java.util.List;
import java.util.Set;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import dev.ferry.batch.ApiError;
import dev.ferry.batch.FerryIds;
import dev.ferry.batch.FileContent;
import dev.ferry.batch.FileDeleted;
import dev.ferry.batch.FileObject;
import dev.ferry.batch.FilePage;
import dev.ferry.batch.PageQuery;
import dev.ferry.batch.RandomIds;
import dev.ferry.storage.BlobNotFoundException;
import dev.ferry.storage.BlobStore;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.http.MediaType;
import org.springframework.http.codec.multipart.PartEvent;

/**
 * Batch input files that Ferry holds for a provider without a files API (Anthropic): the
 * bytes and a small record per file live in the blob store, so every replica sharing the
 * store sees them. Callers see Ferry-minted {@code file-} ids that carry the provider, so
 * follow-up calls need no routing hint.
 */
public final class HeldFiles {

	/** The prefix of every native id, which sorts by upload time. */
	public static final String NATIVE_PREFIX = "upload-";

	private static final Set<String> PURPOSES = Set.of("batch");

	private static final MediaType JSONL = MediaType.parseMediaType("application/jsonl");

	private final String provider;

	private final BlobStore blobs;

	private final JsonMapper mapper;

	private final UploadToBlob uploads;

	private final Clock clock;

	public HeldFiles(String provider, BlobStore blobs, JsonMapper mapper, int maxLineBytes, Clock clock) {
		this.provider = provider;
		this.blobs = blobs;
		this.mapper = mapper;
		this.uploads = new UploadToBlob(blobs, mapper, maxLineBytes);
		this.clock = clock;
	}

	/**
	 * The id callers see for a native id.
	 * @param nativeId the id under which the file is stored
	 * @return the minted {@code file-} id
	 */
	public String publicId(String nativeId) {
		return FerryIds.mint("file-", this.provider, nativeId);
	}

	/**
	 * Stores an upload; only JSONL files with purpose {@code batch} are held.
	 * @param events the form's events
	 * @return the file
	 */
	public Mono<FileObject> upload(Flux<PartEvent> events) {
		long now = this.clock.millis();
		String nativeId = NATIVE_PREFIX + String.format("%012x", now) + "-" + RandomIds.hex(6);
		return this.uploads.write(contentKey(nativeId), events, PURPOSES).flatMap((stored) -> {
			ObjectNode record = this.mapper.createObjectNode()
				.put("filename", stored.filename())
				.put("purpose", stored.purpose())
				.put("bytes", stored.bytes())
				.put("created_at", now / 1000);
			return this.blobs.write(recordKey(nativeId), bytes(record)).thenReturn(toFile(nativeId, record));
		});
	}

	public Mono<FileObject> retrieve(String nativeId) {
		return this.blobs.get(recordKey(nativeId))
			.map((found) -> toFile(nativeId, this.mapper.readTree(found.bytes())))
			.switchIfEmpty(Mono.error(() -> notFound(nativeId)));
	}

	/**
	 * Streams a file's bytes. The record is not read: delete removes the bytes first, so
	 * the bytes exist exactly as long as the file does.
	 * @param nativeId the file
	 * @return the bytes; a 404 if the file was never uploaded or has been deleted
	 */
	public Flux<DataBuffer> content(String nativeId) {
		return this.blobs.read(contentKey(nativeId))
			.onErrorMap(BlobNotFoundException.class, (ex) -> notFound(nativeId));
	}

	/**
	 * Streams a file's bytes from an offset, which must be a line start.
	 * @param nativeId the file
	 * @param offset the first byte to read
	 * @return the bytes; a 404 if the file does not exist
	 */
	public Flux<DataBuffer> content(String nativeId, long offset) {
		return this.blobs.read(contentKey(nativeId), offset)
			.onErrorMap(BlobNotFoundException.class, (ex) -> notFound(nativeId));
	}

	/**
	 * A file's content, for the file-content call: JSONL, with its size.
	 * @param nativeId the file
	 * @return the content; a 404 if the file does not exist
	 */
	public Mono<FileContent> fileContent(String nativeId) {
		return retrieve(nativeId).map((file) -> new FileContent(JSONL, file.bytes(), content(nativeId)));
	}

	public Mono<FileDeleted> delete(String nativeId) {
		return retrieve(nativeId).then(this.blobs.delete(contentKey(nativeId)))
			.then(this.blobs.delete(recordKey(nativeId)))
			.thenReturn(new FileDeleted(publicId(nativeId), true, null));
	}

	/**
	 * A page of files, newest first unless {@code order} is {@code asc}. Only the names
	 * of the provider's files are sorted in memory; records are read for the page alone.
	 * @param query the page; {@code after} is a native id
	 * @return the page
	 */
	public Mono<FilePage> list(PageQuery query) {
		String after = query.after();
		Comparator<String> order = "asc".equals(query.order()) ? Comparator.naturalOrder() : Comparator.reverseOrder();
		return this.blobs.list(folder())
			.filter((name) -> name.endsWith(".json"))
			.map((name) -> name.substring(0, name.length() - ".json".length()))
			.filter((id) -> after == null || order.compare(id, after) > 0)
			.sort(order)
			.concatMap((id) -> retrieve(id).onErrorResume(ApiError.class, (gone) -> Mono.empty()))
			.filter((file) -> query.purpose() == null || query.purpose().equals(file.purpose()))
			.take(query.limit() + 1L)
			.collectList()
			.map((files) -> page(files, query.limit()));
	}

	private static FilePage page(List<FileObject> files, int limit) {
		List<FileObject> data = files.subList(0, Math.min(limit, files.size()));
		return new FilePage(data, data.isEmpty() ? null : data.get(0).id(),
				data.isEmpty() ? null : data.get(data.size() - 1).id(), files.size() > limit, null);
	}

	private FileObject toFile(String nativeId, JsonNode record) {
		return new FileObject(publicId(nativeId), this.provider, record.path("bytes").asLong(),
				record.path("created_at").asLong(), null, record.path("filename").asString(""),
				record.path("purpose").asString("batch"), "processed", null);
	}

	private ApiError notFound(String nativeId) {
		return ApiError.notFound(this.provider, "No such File object: " + publicId(nativeId));
	}

	private Flux<DataBuffer> bytes(JsonNode json) {
		return Flux.just(DefaultDataBufferFactory.sharedInstance.wrap(this.mapper.writeValueAsBytes(json)));
	}

	private String folder() {
		return "held/" + this.provider + "/files";
	}

	private String recordKey(String nativeId) {
		return folder() + "/" + nativeId + ".json";
	}

	private String contentKey(String nativeId) {
		return folder() + "/" + nativeId + ".jsonl";
	}

}
