package dev.ferry.batch;

import reactor.core.publisher.Flux;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.ContentDisposition;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.codec.multipart.FilePartEvent;
import org.springframework.http.codec.multipart.FormPartEvent;
import org.springframework.http.codec.multipart.PartEvent;

/**
 * Makes the {@code file} part of an upload a file part, whatever the client sent.
 *
 * <p>
 * A part without a filename is not parsed as a file: with a content type it arrives as a
 * plain part (still streamed), without one as a form field (read whole, within the codec
 * limit). Some SDKs send byte arrays that way. Each such event is relabelled as a file
 * part named {@value #DEFAULT_FILENAME}, so providers see one shape and streaming is
 * kept.
 */
final class FileParts {

	static final String DEFAULT_FILENAME = "upload.jsonl";

	private FileParts() {
	}

	static Flux<PartEvent> normalize(Flux<PartEvent> events) {
		return events.map(FileParts::asFilePart);
	}

	private static PartEvent asFilePart(PartEvent event) {
		if (event instanceof FilePartEvent || !"file".equals(event.name())) {
			return event;
		}
		HttpHeaders headers = new HttpHeaders();
		headers.setContentDisposition(ContentDisposition.formData().name("file").filename(DEFAULT_FILENAME).build());
		MediaType type = event.headers().getContentType();
		headers.setContentType(
				(type != null && !(event instanceof FormPartEvent)) ? type : MediaType.APPLICATION_OCTET_STREAM);
		return new RelabelledFilePart(headers, event.content(), event.isLast());
	}

	/** A file part event carrying another event's bytes under new headers. */
	private record RelabelledFilePart(HttpHeaders headers, DataBuffer content,
			boolean isLast) implements FilePartEvent {
	}

}
