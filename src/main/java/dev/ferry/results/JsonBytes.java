package dev.ferry.results;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.function.Consumer;

import tools.jackson.core.JsonGenerator;
import tools.jackson.core.ObjectWriteContext;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;

/**
 * The bytes of one JSON value written with a streaming generator, handed on without
 * copying them.
 */
final class JsonBytes extends ByteArrayOutputStream {

	private JsonBytes(int size) {
		super(size);
	}

	/**
	 * Writes one value.
	 * @param mapper the mapper whose write settings apply
	 * @param sizeHint the bytes the value is expected to take
	 * @param writer writes the value
	 * @return its bytes
	 */
	static JsonBytes write(JsonMapper mapper, int sizeHint, Consumer<JsonGenerator> writer) {
		JsonBytes out = new JsonBytes(sizeHint);
		// Straight from the factory: one value needs no databind context of its own.
		try (JsonGenerator generator = mapper.tokenStreamFactory().createGenerator(ObjectWriteContext.empty(), out)) {
			writer.accept(generator);
		}
		return out;
	}

	/** The value as JSON text. */
	RawJson json() {
		return new RawJson(this.buf, 0, this.count);
	}

	/** The value and a newline, as one JSONL line. */
	DataBuffer line() {
		write('\n');
		return DefaultDataBufferFactory.sharedInstance.wrap(ByteBuffer.wrap(this.buf, 0, this.count));
	}

}
