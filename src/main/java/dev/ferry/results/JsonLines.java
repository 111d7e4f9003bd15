package dev.ferry.results;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.function.Consumer;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.core.JsonGenerator;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.core.io.buffer.DefaultDataBuffer;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;

/**
 * Frames a byte stream into JSONL lines, with memory bounded by the longest line.
 */
public final class JsonLines {

	private JsonLines() {
	}

	/**
	 * Splits {@code buffers} into lines, releasing every buffer once read.
	 * @param buffers the bytes
	 * @param maxLineBytes the longest line accepted; a longer one fails the stream with
	 * {@link LineTooLongException}
	 * @return the non-blank lines, in order, numbered as an editor would
	 */
	public static Flux<JsonLine> frame(Flux<DataBuffer> buffers, int maxLineBytes) {
		return frame(buffers, maxLineBytes, 0);
	}

	/**
	 * Splits {@code buffers} read from a byte offset of a larger stream into lines.
	 * @param buffers the bytes from {@code startOffset} on, which must be a line start
	 * @param maxLineBytes the longest line accepted
	 * @param startOffset the offset of the first byte, so that each line's
	 * {@link JsonLine#end() end} counts from the start of the whole stream
	 * @return the non-blank lines, in order, numbered from 1 at the offset
	 */
	public static Flux<JsonLine> frame(Flux<DataBuffer> buffers, int maxLineBytes, long startOffset) {
		return Flux.defer(() -> {
			LineSplitter splitter = new LineSplitter(maxLineBytes, startOffset);
			return buffers.concatMapIterable((buffer) -> feed(splitter, buffer))
				.concatWith(Mono.fromSupplier(splitter::finish).flatMapIterable((lines) -> lines));
		});
	}

	/**
	 * One JSONL line: the value's JSON and a newline.
	 * @param mapper the mapper
	 * @param value the value
	 * @return a buffer holding the line
	 */
	public static DataBuffer line(JsonMapper mapper, Object value) {
		return line(mapper.writeValueAsBytes(value));
	}

	/**
	 * One JSONL line written with a streaming generator, for lines that are rewritten
	 * without building a tree.
	 * @param mapper the mapper whose write settings apply
	 * @param sizeHint the bytes the line is expected to take, so that its buffer is sized
	 * once
	 * @param writer writes one JSON value
	 * @return a buffer holding the value's JSON and a newline
	 */
	public static DataBuffer write(JsonMapper mapper, int sizeHint, Consumer<JsonGenerator> writer) {
		return JsonBytes.write(mapper, sizeHint, writer).line();
	}

	/**
	 * One JSONL line of JSON bytes.
	 * @param json the value's UTF-8 JSON, without a terminator
	 * @return a buffer holding the bytes and a newline
	 */
	public static DataBuffer line(byte[] json) {
		return line(new RawJson(json, 0, json.length));
	}

	/**
	 * One JSONL line of JSON text.
	 * @param json the text
	 * @return a buffer holding the text and a newline
	 */
	public static DataBuffer line(RawJson json) {
		byte[] line = new byte[json.byteLength() + 1];
		json.appendUnquotedUTF8(line, 0);
		line[line.length - 1] = '\n';
		return DefaultDataBufferFactory.sharedInstance.wrap(line);
	}

	/**
	 * Feeds a buffer's bytes to the splitter, straight from its array when it is on the
	 * heap (the spool's buffers are), and releases it.
	 */
	private static List<JsonLine> feed(LineSplitter splitter, DataBuffer buffer) {
		try {
			if (buffer instanceof DefaultDataBuffer heap && heap.getNativeBuffer().hasArray()) {
				ByteBuffer bytes = heap.getNativeBuffer();
				return splitter.feed(bytes.array(), bytes.arrayOffset() + bytes.position(), bytes.remaining());
			}
			byte[] bytes = new byte[buffer.readableByteCount()];
			buffer.read(bytes);
			return splitter.feed(bytes);
		}
		finally {
			DataBufferUtils.release(buffer);
		}
	}

}
