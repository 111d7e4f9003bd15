package dev.ferry.provider.openai;

import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.function.Supplier;

import reactor.core.publisher.Flux;

import dev.ferry.batch.ApiError;
import dev.ferry.results.JsonLine;
import dev.ferry.results.JsonLines;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.MediaType;
import org.springframework.http.codec.multipart.FilePartEvent;
import org.springframework.http.codec.multipart.FormPartEvent;
import org.springframework.http.codec.multipart.PartEvent;

/**
 * Reads the lines of a batch input file as its upload streams upstream, for services that
 * need each line checked or rewritten on the way: the file part is framed into lines,
 * each line is passed through a function, and what it returns goes upstream in its place.
 * Memory is bounded by the longest line; a line the function refuses fails the upload
 * before the upstream has the whole file.
 */
final class UploadLines {

	private UploadLines() {
	}

	/**
	 * The form with its batch input file's lines mapped; other parts, and files of other
	 * purposes, pass unchanged. A file whose purpose comes after it (the OpenAI SDKs send
	 * the file first) is taken as a batch input file, which is what Ferry's callers
	 * upload.
	 * @param parts the upload form
	 * @param maxLineBytes the longest line read
	 * @param lines makes the function for one upload: it gets each line and returns the
	 * bytes to send for it, without the line terminator, or throws an
	 * {@link dev.ferry.batch.ApiError} to refuse the file
	 * @return the form to send
	 */
	static Flux<PartEvent> map(Flux<PartEvent> parts, int maxLineBytes, Supplier<Function<JsonLine, byte[]>> lines) {
		return Flux.defer(() -> {
			AtomicReference<String> purpose = new AtomicReference<>();
			return parts.windowUntil(PartEvent::isLast).concatMap((part) -> part.switchOnFirst((signal, events) -> {
				PartEvent first = signal.get();
				if (first instanceof FormPartEvent form && "purpose".equals(form.name())) {
					purpose.set(form.value());
				}
				if (!(first instanceof FilePartEvent file) || !"file".equals(file.name())
						|| (purpose.get() != null && !purpose.get().equals("batch"))) {
					return events;
				}
				Function<JsonLine, byte[]> map = lines.get();
				Flux<DataBuffer> mapped = JsonLines.frame(events.map(PartEvent::content), maxLineBytes)
					.map((line) -> JsonLines.line(map.apply(line)));
				MediaType type = file.headers().getContentType();
				return FilePartEvent.create("file", file.filename(),
						(type != null) ? type : MediaType.APPLICATION_OCTET_STREAM, mapped);
			}));
		});
	}

	/**
	 * The error refusing a file for one of its lines.
	 * @param line the line
	 * @param problem what is wrong with it
	 * @return the 400, naming the line
	 */
	static ApiError refused(JsonLine line, String problem) {
		return ApiError.invalid("file", "file line " + line.number() + ": " + problem);
	}

}
