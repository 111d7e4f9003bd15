package dev.ferry.dialect;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;

import io.netty.buffer.PooledByteBufAllocator;
import org.junit.jupiter.api.Test;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.core.io.buffer.NettyDataBuffer;
import org.springframework.core.io.buffer.NettyDataBufferFactory;

import static org.assertj.core.api.Assertions.assertThat;

class ChunkedOutputTests {

	private final NettyDataBufferFactory factory = new NettyDataBufferFactory(PooledByteBufAllocator.DEFAULT);

	@Test
	void keepsEveryByteInOrderInBuffersOfBoundedSize() {
		byte[] body = new byte[3 * ChunkedOutput.CHUNK + 1234];
		new Random(7).nextBytes(body);
		ChunkedOutput output = new ChunkedOutput(this.factory);
		output.write(body[0]);
		for (int at = 1, step = 1; at < body.length; at += step, step = step * 3 % 50_000 + 1) {
			output.write(body, at, Math.min(step, body.length - at));
		}
		List<DataBuffer> buffers = output.buffers();
		ByteArrayOutputStream joined = new ByteArrayOutputStream();
		for (DataBuffer buffer : buffers) {
			assertThat(buffer.readableByteCount()).isBetween(1, ChunkedOutput.CHUNK);
			byte[] bytes = new byte[buffer.readableByteCount()];
			buffer.read(bytes);
			joined.writeBytes(bytes);
		}
		assertThat(output.length()).isEqualTo(body.length);
		assertThat(buffers).hasSize(4);
		assertThat(joined.toByteArray()).isEqualTo(body);
		buffers.forEach(DataBufferUtils::release);
	}

	@Test
	void givesItsBuffersBackWhenTheBodyIsNotSent() throws Exception {
		ChunkedOutput output = new ChunkedOutput(this.factory);
		output.write("x".repeat(ChunkedOutput.CHUNK + 1).getBytes(StandardCharsets.US_ASCII));
		List<NettyDataBuffer> buffers = output.buffers().stream().map(NettyDataBuffer.class::cast).toList();
		output.release();
		assertThat(buffers).hasSize(2).allSatisfy((buffer) -> assertThat(buffer.getNativeBuffer().refCnt()).isZero());
	}

}
