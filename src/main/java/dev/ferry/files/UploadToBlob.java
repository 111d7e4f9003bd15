package dev.ferry.files;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

import dev.ferry.batch.ApiError;
import dev.ferry.results.JsonlValidator;
import dev.ferry.storage.BlobStore;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.codec.multipart.FilePartEvent;
import org.springframework.http.codec.multipart.FormPartEvent;
import org.springframework.http.codec.multipart.PartEvent;

/**
 * Streams a multipart upload's file part into the blob store as one linear stream,
 * collecting the form fields around it and checking JSONL lines on the way, for providers
 * whose files Ferry holds itself.
 */
public final class UploadToBlob {

	private final BlobStore blobs;

	private final JsonMapper mapper;

	private final int maxLineBytes;

	public UploadToBlob(BlobStore blobs, JsonMapper mapper, int maxLineBytes) {
		this.blobs = blobs;
		this.mapper = mapper;
		this.maxLineBytes = maxLineBytes;
	}

	/**
	 * Stores the file part under a key. A form without a file, with a purpose outside
	 * {@code purposes}, or a {@code batch} file that is not JSONL is refused and nothing
	 * is kept.
	 * @param key the blob key
	 * @param events the form's events
	 * @param purposes the accepted purposes
	 * @return what was stored
	 */
	public Mono<Stored> write(String key, Flux<PartEvent> events, Set<String> purposes) {
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
			ApiError problem = problem(upload, purposes);
			if (problem != null) {
				return this.blobs.delete(key).then(Mono.error(problem));
			}
			return Mono.just(new Stored(upload.filename, upload.fields.get("purpose"), bytes));
		});
	}

	private static @Nullable ApiError problem(Upload upload, Set<String> purposes) {
		if (upload.filename == null) {
			return ApiError.invalid("file", "file: missing (expected: a multipart part named 'file')");
		}
		String purpose = upload.fields.get("purpose");
		if (purpose == null || !purposes.contains(purpose)) {
			return ApiError.invalid("purpose", "purpose: " + ((purpose == null) ? "missing" : "'" + purpose + "'")
					+ " (expected one of: " + String.join(", ", purposes.stream().sorted().toList()) + ")");
		}
		String invalid = purpose.equals("batch") ? upload.validator.finish() : null;
		return (invalid != null) ? ApiError.invalid("file", "file " + upload.filename + ": " + invalid) : null;
	}

	/**
	 * A stored upload.
	 *
	 * @param filename the file part's name
	 * @param purpose the accepted purpose
	 * @param bytes the size
	 */
	public record Stored(String filename, String purpose, long bytes) {
	}

	/** What an upload has seen so far. */
	private static final class Upload {

		final Map<String, String> fields = new LinkedHashMap<>();

		final JsonlValidator validator;

		@Nullable String filename;

		boolean fileEnded;

		Upload(JsonlValidator validator) {
			this.validator = validator;
		}

	}

}
