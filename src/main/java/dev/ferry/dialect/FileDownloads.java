package dev.ferry.dialect;

import reactor.core.publisher.Mono;

import dev.ferry.batch.FileContent;

import org.springframework.web.reactive.function.BodyInserters;
import org.springframework.web.reactive.function.server.ServerResponse;

/**
 * Streams a file's content to the caller as it arrives.
 */
public final class FileDownloads {

	private FileDownloads() {
	}

	public static Mono<ServerResponse> respond(FileContent content) {
		ServerResponse.BodyBuilder response = ServerResponse.ok().contentType(content.contentType());
		if (content.contentLength() >= 0) {
			response.contentLength(content.contentLength());
		}
		return response.body(BodyInserters.fromDataBuffers(content.body()));
	}

}
