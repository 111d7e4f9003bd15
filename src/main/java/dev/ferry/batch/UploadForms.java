package dev.ferry.batch;

import java.util.List;
import java.util.Set;

import reactor.core.publisher.Flux;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.codec.multipart.FilePartEvent;
import org.springframework.http.codec.multipart.FormPartEvent;
import org.springframework.http.codec.multipart.PartEvent;

/**
 * Checks an upload form for one provider. What the fields before the file show is checked
 * before an upstream connection opens: a {@code purpose} OpenAI does not accept, a field
 * the provider refuses, a form with no file. The rest is checked as the form streams
 * through: fields after the file, the file's size against Ferry's and the provider's
 * limits, its line count against the provider's; a form that fails is cut off with an
 * error, so the upstream never receives a complete request and creates nothing.
 */
final class UploadForms {

	/** The purposes of OpenAI's {@code CreateFileRequest}. */
	static final Set<String> PURPOSES = Set.of("assistants", "batch", "fine-tune", "vision", "user_data", "evals");

	private UploadForms() {
	}

	/**
	 * Checks what the fields before the file show.
	 * @param provider the provider
	 * @param form the form
	 * @throws ApiError 400 for a purpose outside OpenAI's set, a refused field, or a form
	 * without a file part
	 */
	static void checkLeading(BatchProvider provider, UploadForm form) {
		form.leadingFields().forEach((name, value) -> checkField(provider, name, value));
		if (!form.partFollows()) {
			throw missingFile();
		}
	}

	/**
	 * The form, checked as it streams.
	 * @param provider the provider
	 * @param maxUploadBytes Ferry's own limit on a file
	 * @param events the form's events
	 * @param lines told the file's number of lines once it has all streamed
	 * @return the events, failing at the first that breaks a rule
	 */
	static Flux<PartEvent> checked(BatchProvider provider, long maxUploadBytes, Flux<PartEvent> events,
			java.util.function.LongConsumer lines) {
		return Flux.defer(() -> {
			Upload upload = new Upload(provider, maxUploadBytes, lines);
			return events.<PartEvent>handle((event, sink) -> {
				try {
					upload.see(event);
					sink.next(event);
				}
				catch (ApiError error) {
					DataBufferUtils.release(event.content());
					sink.error(error);
				}
			}).concatWith(Flux.defer(upload::finish));
		});
	}

	private static void checkField(BatchProvider provider, String name, String value) {
		if (name.equals("purpose") && !PURPOSES.contains(value)) {
			throw ApiError.invalid("purpose",
					"purpose: '" + value + "' (expected: one of " + String.join(", ", sorted()) + ")");
		}
		if (provider.descriptor().refusesUploadField(name)) {
			throw ApiError.invalid(name,
					name + ": not supported by provider '" + provider.name() + "' (remove it from the form)");
		}
	}

	private static ApiError missingFile() {
		return ApiError.invalid("file", "file: missing (expected: a multipart part named 'file')");
	}

	private static List<String> sorted() {
		return PURPOSES.stream().sorted().toList();
	}

	/** What one upload has shown so far. */
	private static final class Upload {

		private final BatchProvider provider;

		private final long maxUploadBytes;

		private boolean sawFile;

		private boolean sawPurpose;

		private boolean batchPurpose;

		private long bytes;

		private long newlines;

		private boolean endsWithNewline = true;

		private final java.util.function.LongConsumer lines;

		Upload(BatchProvider provider, long maxUploadBytes, java.util.function.LongConsumer lines) {
			this.provider = provider;
			this.maxUploadBytes = maxUploadBytes;
			this.lines = lines;
		}

		void see(PartEvent event) {
			if (event instanceof FilePartEvent && "file".equals(event.name())) {
				this.sawFile = true;
				count(event.content());
			}
			else if (event instanceof FormPartEvent form) {
				checkField(this.provider, form.name(), form.value());
				if (form.name().equals("purpose")) {
					this.sawPurpose = true;
					this.batchPurpose = form.value().equals("batch");
				}
			}
		}

		/**
		 * Counts the file's bytes and lines. The provider's limits apply to batch input
		 * files, and to a file whose purpose has not been seen yet.
		 */
		private void count(DataBuffer content) {
			int readable = content.readableByteCount();
			this.bytes += readable;
			if (this.bytes > this.maxUploadBytes) {
				throw ApiError.tooLarge("file: larger than the limit of " + this.maxUploadBytes
						+ " bytes (ferry.files.max-upload-size)");
			}
			boolean limited = this.batchPurpose || !this.sawPurpose;
			ProviderDescriptor descriptor = this.provider.descriptor();
			if (limited && descriptor.maxFileBytes() > 0 && this.bytes > descriptor.maxFileBytes()) {
				throw ApiError.tooLarge("file: larger than " + descriptor.maxFileBytes() + " bytes, provider '"
						+ this.provider.name() + "''s limit for a batch input file (split the file)");
			}
			for (int i = content.readPosition(); i < content.writePosition(); i++) {
				if (content.getByte(i) == '\n') {
					this.newlines++;
				}
			}
			if (readable > 0) {
				this.endsWithNewline = content.getByte(content.writePosition() - 1) == '\n';
			}
			if (limited) {
				checkLines(this.newlines);
			}
		}

		private void checkLines(long lines) {
			long max = this.provider.descriptor().maxLines();
			if (max > 0 && lines > max) {
				throw ApiError.invalid("file", "file: more than " + max + " lines (provider '" + this.provider.name()
						+ "' takes at most " + max + " requests per batch file; split the file)");
			}
		}

		Flux<PartEvent> finish() {
			if (!this.sawFile) {
				return Flux.error(missingFile());
			}
			if (!this.sawPurpose) {
				return Flux.error(ApiError.invalid("purpose",
						"purpose: missing (expected: one of " + String.join(", ", sorted()) + ")"));
			}
			long total = this.newlines + (this.endsWithNewline ? 0 : 1);
			if (this.batchPurpose) {
				checkLines(total);
			}
			this.lines.accept(total);
			return Flux.empty();
		}

	}

}
