package dev.ferry.dialect;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.server.EntityResponse;
import org.springframework.web.reactive.function.server.ServerResponse;

/**
 * The 200 JSON response every dialect answers with.
 */
public final class JsonResponses {

	private JsonResponses() {
	}

	/**
	 * A 200 with a JSON body, kept as an entity so that filters can read what was
	 * answered (idempotent creates record it).
	 * @param body the body, written by the JSON codec
	 * @return the response
	 */
	public static Mono<ServerResponse> ok(Object body) {
		return EntityResponse.fromObject(body)
			.contentType(MediaType.APPLICATION_JSON)
			.build()
			.map((response) -> response);
	}

	/**
	 * A 200 with a large JSON body written at once into buffers of a bounded size, for
	 * bodies no filter reads (pages of results).
	 * @param mapper the mapper whose settings the body is written with
	 * @param body the body
	 * @return the response, with its content length
	 */
	public static Mono<ServerResponse> okLarge(JsonMapper mapper, Object body) {
		return ServerResponse.ok().contentType(MediaType.APPLICATION_JSON).body((message, context) -> {
			ChunkedOutput output = new ChunkedOutput(message.bufferFactory());
			try {
				mapper.writeValue(output, body);
			}
			catch (RuntimeException ex) {
				output.release();
				return Mono.error(ex);
			}
			message.getHeaders().setContentLength(output.length());
			return message
				.writeWith(Flux.fromIterable(output.buffers()).doOnDiscard(DataBuffer.class, DataBufferUtils::release));
		});
	}

}
