package dev.ferry.provider.sandbox;

import java.time.Clock;
import java.util.Comparator;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

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
 * way when their purpose is {@code batch}, plus the generated output and error files.
 */
final class SandboxFiles {

	static final Set<String> PURPOSES = Set.of("assistants", "batch", "fine-tune", "vision", "user_data", "evals");

	private final String provider;

	private final BlobStore blobs;

	private final UploadToBlob uploads;

	private final Clock clock;

	private final Map<String, SandboxFile> files = new ConcurrentHashMap<>();

	private final AtomicLong sequence = new AtomicLong();

	private final Set<String> retained = ConcurrentHashMap.newKeySet();

	SandboxFiles(String provider, BlobStore blobs, JsonMapper mapper, int maxLineBytes, Clock clock) {
		this.provider = provider;
		this.blobs = blobs;
		this.uploads = new UploadToBlob(blobs, mapper, maxLineBytes);
		this.clock = clock;
	}

	/**
	 * Streams the file part to the blob store, checking its lines on the way when its
	 * purpose is {@code batch}.
	 */
	Mono<SandboxFile> upload(Flux<PartEvent> events) {
		String id = SandboxIds.mint("file-");
		return this.uploads.write(blobKey(id), events, PURPOSES).map((stored) -> {
			SandboxFile file = new SandboxFile(id, stored.filename(), stored.purpose(), stored.bytes(), now(),
					SandboxFile.Kind.UPLOAD, null, this.sequence.incrementAndGet());
			this.files.put(id, file);
			return file;
		});
	}

	SandboxFile register(String id, String filename, long bytes, SandboxFile.Kind kind, String batchId) {
		SandboxFile file = new SandboxFile(id, filename, "batch_output", bytes, now(), kind, batchId,
				this.sequence.incrementAndGet());
		this.files.put(id, file);
		return file;
	}

	SandboxFile get(String id) {
		SandboxFile file = this.files.get(id);
		if (file == null) {
			throw ApiError.notFound(this.provider, "No such File object: " + id);
		}
		return file;
	}

	Flux<DataBuffer> uploadedContent(String id) {
		return this.blobs.read(blobKey(id));
	}

	/**
	 * Keeps an upload's bytes for as long as the process runs, even once the file is
	 * deleted: a batch's results are generated from its input.
	 * @param id the input file
	 */
	void retain(String id) {
		this.retained.add(id);
	}

	Mono<SandboxFile> delete(String id) {
		SandboxFile file = get(id);
		this.files.remove(id);
		boolean keepBytes = file.kind() != SandboxFile.Kind.UPLOAD || this.retained.contains(id);
		return keepBytes ? Mono.just(file) : this.blobs.delete(blobKey(id)).thenReturn(file);
	}

	SandboxPages.Page<SandboxFile> list(PageQuery query) {
		Comparator<SandboxFile> order = Comparator.comparingLong(SandboxFile::sequence);
		if (!"asc".equals(query.order())) {
			order = order.reversed();
		}
		Stream<SandboxFile> files = this.files.values()
			.stream()
			.filter((file) -> query.purpose() == null || query.purpose().equals(file.purpose()))
			.sorted(order);
		return SandboxPages.after(files.toList(), query, SandboxFile::id);
	}

	private String blobKey(String id) {
		return "sandbox/" + this.provider + "/files/" + id;
	}

	private long now() {
		return this.clock.instant().getEpochSecond();
	}

}
