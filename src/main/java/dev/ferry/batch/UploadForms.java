package dev.ferry.batch;

import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

import reactor.core.publisher.Flux;

import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.codec.multipart.FilePartEvent;
import org.springframework.http.codec.multipart.FormPartEvent;
import org.springframework.http.codec.multipart.PartEvent;

/**
 * Checks an upload form as it streams through: a {@code purpose} OpenAI accepts and a
 * {@code file} part. A form that fails either is cut off with a 400, so the upstream
 * never receives a complete request and creates nothing.
 */
final class UploadForms {

	/** The purposes of OpenAI's {@code CreateFileRequest}. */
	static final Set<String> PURPOSES = Set.of("assistants", "batch", "fine-tune", "vision", "user_data", "evals");

	private UploadForms() {
	}

	static Flux<PartEvent> checked(Flux<PartEvent> events) {
		return Flux.defer(() -> {
			AtomicBoolean sawFile = new AtomicBoolean();
			AtomicBoolean sawPurpose = new AtomicBoolean();
			return events.<PartEvent>handle((event, sink) -> {
				if (event instanceof FilePartEvent && "file".equals(event.name())) {
					sawFile.set(true);
				}
				else if (event instanceof FormPartEvent form && "purpose".equals(form.name())) {
					sawPurpose.set(true);
					if (!PURPOSES.contains(form.value())) {
						DataBufferUtils.release(event.content());
						sink.error(ApiError.invalid("purpose", "purpose: '" + form.value() + "' (expected: one of "
								+ String.join(", ", sorted()) + ")"));
						return;
					}
				}
				sink.next(event);
			}).concatWith(Flux.defer(() -> {
				if (!sawFile.get()) {
					return Flux
						.error(ApiError.invalid("file", "file: missing (expected: a multipart part named 'file')"));
				}
				if (!sawPurpose.get()) {
					return Flux.error(ApiError.invalid("purpose",
							"purpose: missing (expected: one of " + String.join(", ", sorted()) + ")"));
				}
				return Flux.empty();
			}));
		});
	}

	private static List<String> sorted() {
		return PURPOSES.stream().sorted().toList();
	}

}
