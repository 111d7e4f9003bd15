package dev.ferry.results;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;

import dev.ferry.support.TrackedBuffers;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;

import static org.assertj.core.api.Assertions.assertThat;

class JsonLinesTests {

	private final TrackedBuffers buffers = new TrackedBuffers();

	@Test
	void framesLinesSplitAcrossBuffers() {
		StepVerifier.create(JsonLines.frame(chunks("{\"a\":", "1}\n{\"b\"", ":2}\n"), 1024))
			.expectNext(new JsonLine(1, "{\"a\":1}", 8), new JsonLine(2, "{\"b\":2}", 16))
			.expectComplete()
			.verify(Duration.ofSeconds(5));
		this.buffers.assertAllReleased();
	}

	@Test
	void framesHeapViewsOfALargerArrayInPlace() {
		// How the spool hands out what a download has received: views, not copies.
		byte[] segment = "--{\"a\":1}\n{\"b\":2}\n--".getBytes(StandardCharsets.UTF_8);
		Flux<DataBuffer> views = Flux.just(view(segment, 2, 8), view(segment, 10, 8));
		StepVerifier.create(JsonLines.frame(views, 1024))
			.expectNext(new JsonLine(1, "{\"a\":1}", 8), new JsonLine(2, "{\"b\":2}", 16))
			.expectComplete()
			.verify(Duration.ofSeconds(5));
	}

	@Test
	void stripsCarriageReturnsAndKeepsALastLineWithoutNewline() {
		StepVerifier.create(JsonLines.frame(chunks("{\"a\":1}\r\n{\"b\":2}"), 1024))
			.expectNext(new JsonLine(1, "{\"a\":1}", 9), new JsonLine(2, "{\"b\":2}", 16))
			.expectComplete()
			.verify(Duration.ofSeconds(5));
	}

	@Test
	void skipsBlankLinesButCountsThem() {
		StepVerifier.create(JsonLines.frame(chunks("\n{\"a\":1}\n  \r\n\n{\"b\":2}\n\n"), 1024))
			.expectNext(new JsonLine(2, "{\"a\":1}", 9), new JsonLine(5, "{\"b\":2}", 22))
			.expectComplete()
			.verify(Duration.ofSeconds(5));
	}

	@Test
	void refusesALineOverTheLimitNamingIt() {
		StepVerifier.create(JsonLines.frame(chunks("{}\n", "0123456789", "0123456789\n"), 16))
			.expectNext(new JsonLine(1, "{}", 3))
			.expectErrorSatisfies((error) -> {
				assertThat(error).isInstanceOf(LineTooLongException.class);
				assertThat(((LineTooLongException) error).lineNumber()).isEqualTo(2);
				assertThat(error).hasMessage("line 2 is longer than 16 bytes");
			})
			.verify(Duration.ofSeconds(5));
		this.buffers.assertAllReleased();
	}

	@Test
	void keepsMultiByteCharactersSplitAcrossBuffers() {
		byte[] bytes = "{\"t\":\"é\"}\n".getBytes(StandardCharsets.UTF_8);
		int split = 7; // inside the two-byte 'é'
		Flux<DataBuffer> content = Flux.just(copy(bytes, 0, split), copy(bytes, split, bytes.length));
		StepVerifier.create(JsonLines.frame(content, 1024))
			.expectNext(new JsonLine(1, "{\"t\":\"é\"}", bytes.length))
			.expectComplete()
			.verify(Duration.ofSeconds(5));
	}

	private Flux<DataBuffer> chunks(String... parts) {
		return Flux.fromArray(parts).map(this.buffers::of);
	}

	private static DataBuffer view(byte[] bytes, int offset, int length) {
		return DefaultDataBufferFactory.sharedInstance.wrap(ByteBuffer.wrap(bytes, offset, length).slice());
	}

	private DataBuffer copy(byte[] bytes, int from, int to) {
		return this.buffers.of(bytes, from, to);
	}

}
