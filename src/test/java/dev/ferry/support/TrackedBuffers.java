package dev.ferry.support;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import io.netty.buffer.UnpooledByteBufAllocator;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.NettyDataBuffer;
import org.springframework.core.io.buffer.NettyDataBufferFactory;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Reference-counted buffers that remember themselves, so a test can check every one was
 * released.
 */
public final class TrackedBuffers {

	private final NettyDataBufferFactory factory = new NettyDataBufferFactory(new UnpooledByteBufAllocator(false));

	private final List<NettyDataBuffer> allocated = new ArrayList<>();

	public DataBuffer of(byte[] bytes, int from, int to) {
		NettyDataBuffer buffer = this.factory.allocateBuffer(to - from);
		buffer.write(bytes, from, to - from);
		this.allocated.add(buffer);
		return buffer;
	}

	public DataBuffer of(String text) {
		byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
		return of(bytes, 0, bytes.length);
	}

	public void assertAllReleased() {
		assertThat(this.allocated).allSatisfy(
				(buffer) -> assertThat(buffer.getNativeBuffer().refCnt()).as("buffer reference count").isZero());
	}

}
