package dev.ferry.sandbox;

import java.time.Clock;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

import dev.ferry.batch.PageQuery;
import dev.ferry.storage.BlobStore;
import dev.ferry.web.ApiError;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.codec.multipart.FilePartEvent;
import org.springframework.http.codec.multipart.FormPartEvent;
import org.springframework.http.codec.multipart.PartEvent;

/**
 * The sandbox's files: uploads streamed to the blob store, checked line by line on the
 * way when their purpose is {@code batch}, plus the generated output and error files.
 */
final class SandboxFiles {

	static final Set<String> PURPOSES = Set.of("assistants", "batch", "fine-tune", "vision", "user_data", "evals");

	private final String provider;

	private final BlobStore blobs;

	private final JsonMapper mapper;

	private final int maxLineBytes;

	private final Clock clock;

	private final Map<String, SandboxFile> files = new ConcurrentHashMap<>();

	private final AtomicLong sequence = new AtomicLong();

	private final Set<String> retained = ConcurrentHashMap.newKeySet();

	SandboxFiles(String provider, BlobStore blobs, JsonMapper mapper, int maxLineBytes, Clock clock) {
		this.provider = provider;
		this.blobs = blobs;
		this.mapper = mapper;
		this.maxLineBytes = maxLineBytes;
		this.clock = clock;
	}

	/**
	 * Streams the file part to the blob store as one linear stream, checking its lines on
	 * the way and collecting the form fields around it.
	 */
	Mono<SandboxFile> upload(Flux<PartEvent> events) {
		String id = SandboxIds.mint("file-");
		String key = blobKey(id);
		Upload upload = new Upload(new JsonlValidator(this.mapper, this.maxLineBytes));
		Flux<DataBuffer> content = events.handle((event, sink) -> {
			if (!(event instanceof FilePartEvent file)) {
				if (event instanceof FormPartEvent form) {
					upload.fields.put(form.name(), form.value());
				}
				DataBufferUtils.release(event.content());
				return;
			}
			if (upload.fileEnded) {
				DataBufferUtils.release(event.content());
				sink.error(ApiError.invalid("file", "file: more than one file part (expected: one)"));
				return;
			}
			upload.filename = file.filename();
			upload.fileEnded = event.isLast();
			upload.validator.inspect(event.content());
			sink.next(event.content());
		});
		return this.blobs.write(key, content).flatMap((bytes) -> {
			upload.bytes = bytes;
			return finish(id, key, upload);
		});
	}

	private Mono<SandboxFile> finish(String id, String key, Upload upload) {
		if (upload.filename == null) {
			return this.blobs.delete(key)
				.then(Mono.error(ApiError.invalid("file", "file: missing (expected: a multipart part named 'file')")));
		}
		String purpose = upload.fields.get("purpose");
		String problem = null;
		if (purpose == null || !PURPOSES.contains(purpose)) {
			problem = "purpose: " + ((purpose == null) ? "missing" : "'" + purpose + "'") + " (expected one of: "
					+ String.join(", ", PURPOSES.stream().sorted().toList()) + ")";
		}
		else if (purpose.equals("batch")) {
			String invalid = upload.validator.finish();
			problem = (invalid != null) ? "file " + upload.filename + ": " + invalid : null;
		}
		if (problem != null) {
			ApiError error = ApiError.invalid(problem.startsWith("purpose") ? "purpose" : "file", problem);
			return this.blobs.delete(key).then(Mono.error(error));
		}
		SandboxFile file = new SandboxFile(id, upload.filename, purpose, upload.bytes, now(), SandboxFile.Kind.UPLOAD,
				null, this.sequence.incrementAndGet());
		this.files.put(id, file);
		return Mono.just(file);
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

	/** What an upload has seen so far. */
	private static final class Upload {

		final Map<String, String> fields = new LinkedHashMap<>();

		final JsonlValidator validator;

		@Nullable String filename;

		boolean fileEnded;

		long bytes;

		Upload(JsonlValidator validator) {
			this.validator = validator;
		}

	}

}
