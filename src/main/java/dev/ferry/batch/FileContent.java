package dev.ferry.batch;

import reactor.core.publisher.Flux;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.MediaType;

/**
 * A file's bytes, as a stream that is read once.
 *
 * @param contentType the media type
 * @param contentLength the length in bytes, or -1 when unknown
 * @param body the bytes
 */
public record FileContent(MediaType contentType, long contentLength, Flux<DataBuffer> body) {
}
