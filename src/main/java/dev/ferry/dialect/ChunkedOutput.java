package dev.ferry.dialect;

import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferFactory;
import org.springframework.core.io.buffer.DataBufferUtils;

/**
 * Keeps what is written as buffers of at most {@value #CHUNK} bytes, taken from the
 * response's own factory (the server's pooled buffers), so that the bytes are written
 * once and sent as they are. A body of a megabyte or more (a page of a thousand results)
 * then never needs one array of its size, which the JVM's collector treats as a humongous
 * object and answers with a marking cycle.
 */
final class ChunkedOutput extends OutputStream {

	static final int CHUNK = 32 * 1024;

	private final DataBufferFactory factory;

	private final List<DataBuffer> chunks = new ArrayList<>();

	private DataBuffer current;

	private long length;

	ChunkedOutput(DataBufferFactory factory) {
		this.factory = factory;
		this.current = factory.allocateBuffer(CHUNK);
		this.chunks.add(this.current);
	}

	@Override
	public void write(int b) {
		room().write((byte) b);
		this.length++;
	}

	@Override
	public void write(byte[] bytes, int offset, int count) {
		while (count > 0) {
			DataBuffer buffer = room();
			int taken = Math.min(count, CHUNK - buffer.writePosition());
			buffer.write(bytes, offset, taken);
			this.length += taken;
			offset += taken;
			count -= taken;
		}
	}

	/** The bytes written, as buffers in order; the stream is not written to after. */
	List<DataBuffer> buffers() {
		return this.chunks;
	}

	/** All the bytes written. */
	long length() {
		return this.length;
	}

	/** Gives the buffers back, for a body that will not be sent. */
	void release() {
		this.chunks.forEach(DataBufferUtils::release);
		this.chunks.clear();
	}

	/** The buffer being filled, a new one once it is full. */
	private DataBuffer room() {
		if (this.current.writePosition() == CHUNK) {
			this.current = this.factory.allocateBuffer(CHUNK);
			this.chunks.add(this.current);
		}
		return this.current;
	}

}
