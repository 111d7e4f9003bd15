package dev.ferry.results;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.test.StepVerifier;

import dev.ferry.storage.BlobStore;
import dev.ferry.storage.BlobVersion;
import dev.ferry.storage.ConditionalWrite;
import dev.ferry.storage.StorageUnavailableException;
import dev.ferry.storage.VersionedBlob;
import dev.ferry.support.InMemoryBlobStore;
import dev.ferry.support.MutableClock;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The cluster-wide spool, with replicas as several {@link ResultSpools} on one store.
 */
class ResultSpoolsTests {

	private static final Duration WAIT = Duration.ofSeconds(10);

	private static final String RESULTS = "line one\nline two\nline three\nline four\n";

	private final InMemoryBlobStore store = new InMemoryBlobStore();

	private final MutableClock clock = new MutableClock();

	private final List<ResultSpools> replicas = new ArrayList<>();

	/** Off but where a test turns it on: the other tests count reads of the store. */
	private long cacheBytes;

	@AfterEach
	void close() {
		this.replicas.forEach(ResultSpools::close);
	}

	@Test
	void readersFollowADownloadInProgressAndShareIt() {
		ResultSpools spools = replica(this.store, Long.MAX_VALUE);
		Sinks.Many<DataBuffer> upstream = Sinks.many().unicast().onBackpressureBuffer();
		AtomicInteger downloads = new AtomicInteger();
		StringBuilder first = new StringBuilder();
		StepVerifier.create(text(spools.read("b", 0, () -> {
			downloads.incrementAndGet();
			return upstream.asFlux();
		}))).then(() -> upstream.tryEmitNext(bytes("one\n"))).thenConsumeWhile((text) -> {
			first.append(text);
			return first.length() < 4;
		}).then(() -> {
			assertThat(first).hasToString("one\n");
			// A second reader, from an offset, joins the same download.
			StepVerifier.create(joined(spools.read("b", 2, () -> {
				downloads.incrementAndGet();
				return Flux.error(new AssertionError("a second download"));
			}))).then(() -> {
				upstream.tryEmitNext(bytes("two\n"));
				upstream.tryEmitComplete();
			}).expectNext("e\ntwo\n").expectComplete().verify(WAIT);
		}).thenConsumeWhile((text) -> true).expectComplete().verify(WAIT);
		assertThat(downloads).hasValue(1);
		StepVerifier.create(joined(spools.read("b", 4, () -> Flux.error(new AssertionError("downloaded again")))))
			.expectNext("two\n")
			.expectComplete()
			.verify(WAIT);
	}

	@Test
	void aFailedDownloadFailsItsReadersAndTheNextReadStartsAgain() {
		ResultSpools spools = replica(this.store, Long.MAX_VALUE);
		StepVerifier
			.create(joined(spools.read("b", 0,
					() -> Flux.concat(Flux.just(bytes("partial\n")), Flux.error(new IOException("connection reset"))))))
			.expectErrorMessage("connection reset")
			.verify(WAIT);
		// Results do not change: the retry reads the same bytes, and this time all of
		// them.
		StepVerifier.create(joined(spools.read("b", 0, () -> Flux.just(bytes("partial\n"), bytes("and the rest\n")))))
			.expectNext("partial\nand the rest\n")
			.expectComplete()
			.verify(WAIT);
	}

	@Test
	void aSecondReplicaReadsTheSegmentsTheFirstWroteWithoutDownloading() {
		ResultSpools a = replica(this.store, Long.MAX_VALUE);
		ResultSpools b = replica(this.store, Long.MAX_VALUE);
		AtomicInteger downloads = new AtomicInteger();
		assertThat(joined(a.read("b", 0, () -> counted(downloads, Flux.just(bytes(RESULTS))))).block(WAIT))
			.isEqualTo(RESULTS);
		for (int offset = 0; offset <= RESULTS.length(); offset += 7) {
			assertThat(joined(b.read("b", offset, () -> counted(downloads, Flux.just(bytes(RESULTS))))).block(WAIT))
				.as("from " + offset)
				.isEqualTo(RESULTS.substring(offset));
		}
		assertThat(downloads).hasValue(1);
	}

	@Test
	void aReaderOnAnotherReplicaFollowsTheDownloadSegmentBySegment() {
		ResultSpools a = replica(this.store, Long.MAX_VALUE);
		ResultSpools b = replica(this.store, Long.MAX_VALUE);
		Sinks.Many<DataBuffer> upstream = Sinks.many().unicast().onBackpressureBuffer();
		AtomicInteger downloads = new AtomicInteger();
		upstream.tryEmitNext(bytes(RESULTS.substring(0, 20)));
		a.read("b", 0, () -> counted(downloads, upstream.asFlux())).take(1).blockLast(WAIT);
		StepVerifier.create(joined(b.read("b", 3, () -> counted(downloads, Flux.error(new AssertionError("again"))))))
			.then(() -> {
				upstream.tryEmitNext(bytes(RESULTS.substring(20)));
				upstream.tryEmitComplete();
			})
			.expectNext(RESULTS.substring(3))
			.expectComplete()
			.verify(WAIT);
		assertThat(downloads).hasValue(1);
	}

	@Test
	void whenTheDownloadingReplicaIsCutOffAnotherTakesItsLeaseAndResumes() {
		PartitionableStore cutOff = new PartitionableStore(this.store);
		ResultSpools a = replica(cutOff, Long.MAX_VALUE);
		ResultSpools b = replica(this.store, Long.MAX_VALUE);
		Sinks.Many<DataBuffer> stalled = Sinks.many().unicast().onBackpressureBuffer();
		a.read("b", 0, () -> stalled.asFlux()).take(1).subscribe();
		stalled.tryEmitNext(bytes(RESULTS.substring(0, 25)));
		// Replica A loses the store mid-download: it can neither write nor renew.
		Mono.delay(Duration.ofMillis(100)).doOnNext((tick) -> cutOff.partitioned.set(true)).block(WAIT);
		stalled.tryEmitNext(bytes(RESULTS.substring(25, 30)));
		AtomicLong upstreamBytes = new AtomicLong();
		String read = joined(b.read("b", 0, () -> Flux.just(bytes(RESULTS))
			.doOnNext((buffer) -> upstreamBytes.addAndGet(buffer.readableByteCount())))).block(WAIT);
		assertThat(read).isEqualTo(RESULTS);
		assertThat(this.store.list("spools/" + spoolName(b) + "/leases").collectList().block(WAIT))
			.as("B took the second epoch")
			.contains("0000000002");
	}

	@Test
	void deletesADownloadAbandonedForATimeToLiveButNotACompleteSpool() {
		PartitionableStore cutOff = new PartitionableStore(this.store);
		ResultSpools a = replica(cutOff, Long.MAX_VALUE);
		ResultSpools b = replica(this.store, Long.MAX_VALUE);
		fill(b, "complete", new AtomicInteger());
		Sinks.Many<DataBuffer> stalled = Sinks.many().unicast().onBackpressureBuffer();
		stalled.tryEmitNext(bytes(RESULTS.substring(0, 25)));
		a.read("abandoned", 0, () -> stalled.asFlux()).take(1).blockLast(WAIT);
		cutOff.partitioned.set(true);
		assertThat(this.store.list("spools").collectList().block(WAIT)).as("one spool open, one complete")
			.hasSize(2)
			.anyMatch((name) -> name.endsWith(".open"))
			.anyMatch((name) -> name.endsWith(".done"));
		this.clock.advance(Duration.ofMinutes(30));
		b.sweep().block(WAIT);
		assertThat(this.store.list("spools").collectList().block(WAIT)).as("too young to be swept").hasSize(2);
		this.clock.advance(Duration.ofMinutes(31));
		b.sweep().block(WAIT);
		assertThat(this.store.list("spools").collectList().block(WAIT)).as("both past their time to live").isEmpty();
	}

	@Test
	void theSegmentsAReplicaReadLatelyAreReadFromTheStoreOnce() {
		CountingStore counted = new CountingStore(this.store);
		ResultSpools a = replica(this.store, Long.MAX_VALUE);
		assertThat(joined(a.read("b", 0, () -> Flux.just(bytes(RESULTS)))).block(WAIT)).isEqualTo(RESULTS);
		this.cacheBytes = 1024;
		ResultSpools b = replica(counted, Long.MAX_VALUE);
		for (int pass = 0; pass < 3; pass++) {
			for (int offset = 0; offset < RESULTS.length(); offset += 3) {
				assertThat(joined(b.read("b", offset, () -> Flux.error(new AssertionError("again")))).block(WAIT))
					.isEqualTo(RESULTS.substring(offset));
			}
		}
		int segments = (RESULTS.length() + 7) / 8;
		assertThat(counted.segmentReads).as("one read per segment, whatever the pages").hasValue(segments);
	}

	@Test
	void deletesCompleteSpoolsAfterTheirTimeToLive() {
		ResultSpools spools = replica(this.store, Long.MAX_VALUE);
		fill(spools, "old", new AtomicInteger());
		this.clock.advance(Duration.ofMinutes(30));
		fill(spools, "new", new AtomicInteger());
		this.clock.advance(Duration.ofMinutes(45));
		spools.sweep().block(WAIT);
		AtomicInteger downloads = new AtomicInteger();
		fill(spools, "old", downloads);
		assertThat(downloads).as("the expired spool is downloaded again").hasValue(1);
		fill(spools, "new", downloads);
		assertThat(downloads).as("the fresh spool is kept").hasValue(1);
	}

	@Test
	void deletesTheOldestCompleteSpoolsBeyondTheBudget() {
		ResultSpools spools = replica(this.store, 25);
		fill(spools, "a", new AtomicInteger());
		this.clock.advance(Duration.ofSeconds(1));
		fill(spools, "b", new AtomicInteger());
		this.clock.advance(Duration.ofSeconds(1));
		fill(spools, "c", new AtomicInteger());
		spools.sweep().block(WAIT);
		assertThat(spools.storedBytes()).as("two 10-byte spools within a 25-byte budget").isEqualTo(20);
		AtomicInteger downloads = new AtomicInteger();
		fill(spools, "b", downloads);
		fill(spools, "c", downloads);
		assertThat(downloads).as("the newer spools were kept").hasValue(0);
		fill(spools, "a", downloads);
		assertThat(downloads).hasValue(1);
	}

	private ResultSpools replica(BlobStore on, long maxBytes) {
		ResultSpools spools = new ResultSpools(on,
				new ResultSpools.Limits(8, Duration.ofMillis(300), Duration.ofMillis(20), Duration.ofHours(1), maxBytes,
						Duration.ofHours(1), Duration.ofSeconds(5), this.cacheBytes),
				this.clock);
		this.replicas.add(spools);
		return spools;
	}

	private String spoolName(ResultSpools spools) {
		return this.store.list("spools").filter((name) -> name.endsWith(".done")).blockFirst(WAIT).replace(".done", "");
	}

	private static void fill(ResultSpools spools, String key, AtomicInteger downloads) {
		assertThat(joined(spools.read(key, 0, () -> counted(downloads, Flux.just(bytes("0123456789"))))).block(WAIT))
			.isEqualTo("0123456789");
	}

	private static Flux<DataBuffer> counted(AtomicInteger downloads, Flux<DataBuffer> upstream) {
		downloads.incrementAndGet();
		return upstream;
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

	private static Mono<String> joined(Flux<DataBuffer> buffers) {
		return text(buffers).reduce("", String::concat);
	}

	/** A store that counts the segments read from it, whole or in part. */
	private static final class CountingStore extends PartitionableStore {

		final AtomicInteger segmentReads = new AtomicInteger();

		CountingStore(BlobStore store) {
			super(store);
		}

		@Override
		public Flux<DataBuffer> read(String key, long offset) {
			count(key);
			return super.read(key, offset);
		}

		@Override
		public Mono<VersionedBlob> get(String key) {
			count(key);
			return super.get(key);
		}

		private void count(String key) {
			if (key.contains("/segments/")) {
				this.segmentReads.incrementAndGet();
			}
		}

	}

	/** A store one replica can be cut off from, as in a network partition. */
	private static class PartitionableStore implements BlobStore {

		final AtomicBoolean partitioned = new AtomicBoolean();

		private final BlobStore store;

		PartitionableStore(BlobStore store) {
			this.store = store;
		}

		private <T> Mono<T> unlessCut(Mono<T> call) {
			return Mono.defer(() -> this.partitioned.get()
					? Mono.error(new StorageUnavailableException("partitioned", new IOException("cut off"))) : call);
		}

		@Override
		public Mono<Long> write(String key, Flux<DataBuffer> content) {
			return unlessCut(this.store.write(key, content));
		}

		@Override
		public Flux<DataBuffer> read(String key, long offset) {
			return unlessCut(Mono.just(key)).flatMapMany((ok) -> this.store.read(key, offset));
		}

		@Override
		public Mono<VersionedBlob> get(String key) {
			return unlessCut(this.store.get(key));
		}

		@Override
		public Mono<ConditionalWrite> create(String key, byte[] content) {
			return unlessCut(this.store.create(key, content));
		}

		@Override
		public Mono<ConditionalWrite> replace(String key, byte[] content, BlobVersion expected) {
			return unlessCut(this.store.replace(key, content, expected));
		}

		@Override
		public Mono<Void> delete(String key) {
			return unlessCut(this.store.delete(key));
		}

		@Override
		public Flux<String> list(String folder) {
			return unlessCut(Mono.just(folder)).flatMapMany(this.store::list);
		}

		@Override
		public String describe() {
			return "partitionable " + this.store.describe();
		}

	}

}
