package dev.ferry.results;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Sinks;
import reactor.test.StepVerifier;

import dev.ferry.support.MutableClock;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;

import static org.assertj.core.api.Assertions.assertThat;

class ResultSpoolsTests {

	private static final Duration WAIT = Duration.ofSeconds(10);

	@TempDir
	Path directory;

	private final MutableClock clock = new MutableClock();

	private ResultSpools spools;

	@AfterEach
	void close() {
		if (this.spools != null) {
			this.spools.close();
		}
	}

	@Test
	void readersFollowADownloadInProgressAndShareIt() {
		this.spools = spools(Long.MAX_VALUE);
		Sinks.Many<DataBuffer> upstream = Sinks.many().unicast().onBackpressureBuffer();
		AtomicInteger downloads = new AtomicInteger();
		Flux<String> first = text(this.spools.read("b", 0, () -> {
			downloads.incrementAndGet();
			return upstream.asFlux();
		}));
		StepVerifier.create(first).then(() -> upstream.tryEmitNext(bytes("one\n"))).expectNext("one\n").then(() -> {
			// A second reader, from an offset, joins the same download.
			// How the bytes are cut into buffers depends on timing; their sum does not.
			StepVerifier.create(text(this.spools.read("b", 2, () -> {
				downloads.incrementAndGet();
				return Flux.error(new AssertionError("a second download"));
			})).reduce(String::concat)).then(() -> {
				upstream.tryEmitNext(bytes("two\n"));
				upstream.tryEmitComplete();
			}).expectNext("e\ntwo\n").expectComplete().verify(WAIT);
		}).expectNext("two\n").expectComplete().verify(WAIT);
		assertThat(downloads).hasValue(1);

		StepVerifier.create(text(this.spools.read("b", 4, () -> Flux.error(new AssertionError("downloaded again")))))
			.expectNext("two\n")
			.expectComplete()
			.verify(WAIT);
	}

	@Test
	void aFailedDownloadFailsItsReadersAndTheNextReadStartsAgain() {
		this.spools = spools(Long.MAX_VALUE);
		StepVerifier
			.create(text(this.spools.read("b", 0,
					() -> Flux.concat(Flux.just(bytes("partial\n")), Flux.error(new IOException("connection reset"))))))
			.expectNext("partial\n")
			.expectErrorMessage("connection reset")
			.verify(WAIT);
		StepVerifier.create(text(this.spools.read("b", 0, () -> Flux.just(bytes("whole\n")))))
			.expectNext("whole\n")
			.expectComplete()
			.verify(WAIT);
	}

	@Test
	void evictsSpoolsUnreadForTheirTimeToLive() throws IOException {
		this.spools = spools(Long.MAX_VALUE);
		fill("old");
		this.clock.advance(Duration.ofMinutes(30));
		fill("new");
		this.clock.advance(Duration.ofMinutes(45));
		this.spools.sweep();
		assertThat(spoolFiles()).isEqualTo(1);
		AtomicInteger downloads = new AtomicInteger();
		fill("old", downloads);
		assertThat(downloads).as("the evicted spool is downloaded again").hasValue(1);
		fill("new", downloads);
		assertThat(downloads).as("the fresh spool is kept").hasValue(1);
	}

	@Test
	void evictsTheLeastRecentlyReadSpoolsBeyondTheDiskBudget() throws IOException {
		this.spools = spools(25);
		fill("a");
		this.clock.advance(Duration.ofSeconds(1));
		fill("b");
		this.clock.advance(Duration.ofSeconds(1));
		fill("a");
		this.clock.advance(Duration.ofSeconds(1));
		fill("c");
		assertThat(spoolFiles()).as("three 10-byte spools within a 25-byte budget").isEqualTo(2);
		AtomicInteger downloads = new AtomicInteger();
		fill("a", downloads);
		fill("c", downloads);
		assertThat(downloads).as("a and c were read most recently and kept").hasValue(0);
		fill("b", downloads);
		assertThat(downloads).hasValue(1);
	}

	private ResultSpools spools(long maxBytes) {
		return new ResultSpools(this.directory,
				new ResultSpools.Limits(Duration.ofHours(1), maxBytes, Duration.ofHours(1), Duration.ofSeconds(5)),
				this.clock);
	}

	private void fill(String key) {
		fill(key, new AtomicInteger());
	}

	private void fill(String key, AtomicInteger downloads) {
		StepVerifier.create(text(this.spools.read(key, 0, () -> {
			downloads.incrementAndGet();
			return Flux.just(bytes("0123456789"));
		}))).expectNext("0123456789").expectComplete().verify(WAIT);
	}

	private long spoolFiles() throws IOException {
		try (Stream<Path> files = Files.list(this.directory)) {
			return files.filter((file) -> file.toString().endsWith(".spool")).count();
		}
	}

	private static DataBuffer bytes(String text) {
		return DefaultDataBufferFactory.sharedInstance.wrap(text.getBytes(StandardCharsets.UTF_8));
	}

	private static Flux<String> text(Flux<DataBuffer> buffers) {
		return buffers.map((buffer) -> {
			String text = buffer.toString(StandardCharsets.UTF_8);
			DataBufferUtils.release(buffer);
			return text;
		});
	}

}
