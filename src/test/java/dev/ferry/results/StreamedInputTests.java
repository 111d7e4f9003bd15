package dev.ferry.results;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Schedulers;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Buffers delivered on non-blocking threads (BlockHound watches them) are read as one
 * stream by a thread that may wait.
 */
class StreamedInputTests {

	@Test
	void readsEveryByteInOrderAsBuffersArriveOnAnotherThread() throws IOException {
		Flux<DataBuffer> buffers = Flux.range(0, 500)
			.map((i) -> wrap("line " + i + "\n"))
			.delayElements(Duration.ofMillis(1), Schedulers.parallel());
		StringBuilder expected = new StringBuilder();
		for (int i = 0; i < 500; i++) {
			expected.append("line ").append(i).append('\n');
		}
		try (StreamedInput input = StreamedInput.of(buffers, 4)) {
			assertThat(new String(input.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo(expected.toString());
		}
	}

	@Test
	void aFailedDownloadIsAnIoError() {
		Flux<DataBuffer> buffers = Flux
			.concat(Flux.just(wrap("partial")), Flux.<DataBuffer>error(new IllegalStateException("connection reset")))
			.subscribeOn(Schedulers.parallel());
		try (StreamedInput input = StreamedInput.of(buffers, 4)) {
			assertThatThrownBy(input::readAllBytes).isInstanceOf(IOException.class)
				.hasMessageContaining("connection reset");
		}
	}

	@Test
	void closingCancelsTheDownload() throws IOException {
		AtomicBoolean cancelled = new AtomicBoolean();
		Flux<DataBuffer> endless = Flux.interval(Duration.ofMillis(1), Schedulers.parallel())
			.map((i) -> wrap("x"))
			.doOnCancel(() -> cancelled.set(true));
		StreamedInput input = StreamedInput.of(endless, 2);
		assertThat(input.read()).isEqualTo('x');
		input.close();
		assertThat(cancelled).isTrue();
		assertThatThrownBy(input::read).isInstanceOf(IOException.class);
	}

	private static DataBuffer wrap(String text) {
		return DefaultDataBufferFactory.sharedInstance.wrap(text.getBytes(StandardCharsets.UTF_8));
	}

}
