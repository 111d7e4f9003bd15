package dev.ferry.storage;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;

import dev.ferry.batch.RandomIds;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * What every {@link BlobStore} promises, run against each implementation: the local
 * store, an in-memory one and a real S3 server.
 */
abstract class BlobStoreContract {

	static final Duration TIMEOUT = Duration.ofSeconds(30);

	BlobStore store;

	/** A folder of its own per test, so stores may be shared between tests. */
	String folder;

	abstract BlobStore createStore() throws Exception;

	/** Whether compare-and-swap holds under concurrent writers on this store. */
	abstract boolean compareAndSwapIsLinearizable();

	boolean closesStoreAfterEachTest() {
		return true;
	}

	@BeforeEach
	void open() throws Exception {
		this.store = createStore();
		this.folder = "contract/" + RandomIds.hex(6);
	}

	@AfterEach
	void closeStore() throws Exception {
		if (closesStoreAfterEachTest() && this.store instanceof AutoCloseable closeable) {
			closeable.close();
		}
	}

	@Test
	void writesReadsAndDeletesABlob() {
		String key = this.folder + "/blob";
		assertThat(this.store.write(key, Flux.just(buffer("hello "), buffer("world"))).block(TIMEOUT)).isEqualTo(11);
		assertThat(text(this.store.read(key))).isEqualTo("hello world");
		assertThat(new String(this.store.get(key).block(TIMEOUT).bytes(), StandardCharsets.UTF_8))
			.isEqualTo("hello world");
		this.store.delete(key).block(TIMEOUT);
		this.store.delete(key).block(TIMEOUT);
		assertThat(this.store.get(key).blockOptional(TIMEOUT)).isEmpty();
		assertThatExceptionOfType(BlobNotFoundException.class).isThrownBy(() -> text(this.store.read(key)));
	}

	@Test
	void aWriteWhoseContentFailsLeavesNoBlob() {
		String key = this.folder + "/failed";
		this.store.write(key, Flux.just(buffer("kept")).concatWith(Flux.empty())).block(TIMEOUT);
		Flux<DataBuffer> failing = Flux.concat(Flux.just(buffer("partial")),
				Flux.error(new IllegalStateException("client went away")));
		assertThatExceptionOfType(IllegalStateException.class)
			.isThrownBy(() -> this.store.write(key, failing).block(TIMEOUT));
		assertThat(text(this.store.read(key))).as("the previous blob, whole").isEqualTo("kept");
		String fresh = this.folder + "/never";
		assertThatExceptionOfType(IllegalStateException.class)
			.isThrownBy(
					() -> this.store
						.write(fresh,
								Flux.concat(Flux.just(buffer("partial")),
										Flux.error(new IllegalStateException("gone"))))
						.block(TIMEOUT));
		assertThat(this.store.get(fresh).blockOptional(TIMEOUT)).isEmpty();
	}

	@Test
	void readsFromAByteOffset() {
		String key = this.folder + "/ranged";
		this.store.write(key, Flux.just(buffer("0123456789"))).block(TIMEOUT);
		assertThat(text(this.store.read(key, 4))).isEqualTo("456789");
		assertThat(text(this.store.read(key, 10))).isEmpty();
		assertThat(text(this.store.read(key, 50))).isEmpty();
	}

	@Test
	void streamsABlobLargerThanSeveralUploadParts() throws Exception {
		String key = this.folder + "/large";
		int chunks = 320;
		byte[] chunk = new byte[64 * 1024];
		MessageDigest sent = MessageDigest.getInstance("SHA-256");
		Flux<DataBuffer> content = Flux.range(0, chunks).map((index) -> {
			chunk[0] = index.byteValue();
			sent.update(chunk);
			return DefaultDataBufferFactory.sharedInstance.wrap(chunk.clone());
		});
		assertThat(this.store.write(key, content).block(TIMEOUT)).isEqualTo((long) chunks * chunk.length);
		MessageDigest read = MessageDigest.getInstance("SHA-256");
		long length = this.store.read(key).map((buffer) -> {
			byte[] bytes = new byte[buffer.readableByteCount()];
			buffer.read(bytes);
			DataBufferUtils.release(buffer);
			read.update(bytes);
			return (long) bytes.length;
		}).reduce(0L, Long::sum).block(TIMEOUT);
		assertThat(length).isEqualTo((long) chunks * chunk.length);
		assertThat(HexFormat.of().formatHex(read.digest())).isEqualTo(HexFormat.of().formatHex(sent.digest()));
	}

	@Test
	void createOnlyPutsLetTheFirstWriterWin() {
		String key = this.folder + "/claim";
		ConditionalWrite first = this.store.create(key, bytes("first")).block(TIMEOUT);
		ConditionalWrite second = this.store.create(key, bytes("second")).block(TIMEOUT);
		assertThat(first.outcome()).isEqualTo(ConditionalWrite.Outcome.WON);
		assertThat(second.outcome()).isEqualTo(ConditionalWrite.Outcome.LOST);
		VersionedBlob found = this.store.get(key).block(TIMEOUT);
		assertThat(new String(found.bytes(), StandardCharsets.UTF_8)).isEqualTo("first");
		assertThat(found.version()).isEqualTo(first.version());
	}

	@Test
	void compareAndSwapPutsNeedTheVersionRead() {
		String key = this.folder + "/record";
		BlobVersion created = this.store.create(key, bytes("v1")).block(TIMEOUT).version();
		ConditionalWrite swapped = this.store.replace(key, bytes("v2"), created).block(TIMEOUT);
		assertThat(swapped.outcome()).isEqualTo(ConditionalWrite.Outcome.WON);
		assertThat(swapped.version()).isNotEqualTo(created);
		assertThat(this.store.replace(key, bytes("v3"), created).block(TIMEOUT).outcome()).as("a stale version loses")
			.isEqualTo(ConditionalWrite.Outcome.LOST);
		assertThat(new String(this.store.get(key).block(TIMEOUT).bytes(), StandardCharsets.UTF_8)).isEqualTo("v2");
		assertThat(this.store.replace(this.folder + "/absent", bytes("v1"), created).block(TIMEOUT).outcome())
			.isEqualTo(ConditionalWrite.Outcome.MISSING);
		assertThat(this.store.get(this.folder + "/absent").blockOptional(TIMEOUT)).isEmpty();
	}

	@Test
	void listsTheBlobsOfAFolderPageAfterPageButNotItsSubfolders() {
		assertThat(this.store.list(this.folder + "/none").collectList().block(TIMEOUT)).isEmpty();
		Flux.range(0, 1005)
			.flatMap((index) -> this.store.create(this.folder + "/many/" + index, bytes("x")), 16)
			.blockLast(TIMEOUT.multipliedBy(4));
		this.store.create(this.folder + "/many/deeper/hidden", bytes("x")).block(TIMEOUT);
		Set<String> names = this.store.list(this.folder + "/many").collect(Collectors.toSet()).block(TIMEOUT);
		assertThat(names).hasSize(1005).contains("0", "1004").doesNotContain("deeper/hidden", "hidden");
	}

	@Test
	void ofThirtyTwoRacingCreatesExactlyOneWins() throws Exception {
		for (int round = 0; round < 10; round++) {
			String key = this.folder + "/race-" + round;
			List<ConditionalWrite> outcomes = race(32,
					(writer) -> this.store.create(key, bytes("writer " + writer)).block(TIMEOUT));
			assertThat(outcomes.stream().filter(ConditionalWrite::won)).as("winners of round " + round).hasSize(1);
		}
	}

	@Test
	void ofRacingCompareAndSwapsOnOneVersionExactlyOneWins() throws Exception {
		org.junit.jupiter.api.Assumptions.assumeTrue(compareAndSwapIsLinearizable(),
				"this store's compare-and-swap is not linearizable; Ferry never races it");
		for (int round = 0; round < 10; round++) {
			String key = this.folder + "/cas-" + round;
			BlobVersion version = this.store.create(key, bytes("start")).block(TIMEOUT).version();
			List<ConditionalWrite> outcomes = race(16,
					(writer) -> this.store.replace(key, bytes("writer " + writer), version).block(TIMEOUT));
			assertThat(outcomes.stream().filter(ConditionalWrite::won)).as("winners of round " + round).hasSize(1);
		}
	}

	@Test
	void refusesKeysThatCouldEscapeTheRoot() {
		assertThatExceptionOfType(IllegalArgumentException.class)
			.isThrownBy(() -> this.store.read("../etc/passwd").blockLast(TIMEOUT));
		assertThatExceptionOfType(IllegalArgumentException.class)
			.isThrownBy(() -> this.store.get("/etc/passwd").block(TIMEOUT));
		assertThatExceptionOfType(IllegalArgumentException.class)
			.isThrownBy(() -> this.store.create("a b", bytes("x")).block(TIMEOUT));
	}

	private static <T> List<T> race(int writers, WriterTask<T> task) throws Exception {
		ExecutorService pool = Executors.newFixedThreadPool(writers);
		try {
			CountDownLatch start = new CountDownLatch(1);
			List<Future<T>> futures = new ArrayList<>();
			IntStream.range(0, writers).forEach((writer) -> futures.add(pool.submit((Callable<T>) () -> {
				start.await();
				return task.run(writer);
			})));
			start.countDown();
			List<T> outcomes = new ArrayList<>();
			for (Future<T> future : futures) {
				outcomes.add(future.get());
			}
			return outcomes;
		}
		finally {
			pool.shutdownNow();
		}
	}

	static DataBuffer buffer(String text) {
		return DefaultDataBufferFactory.sharedInstance.wrap(bytes(text));
	}

	static byte[] bytes(String text) {
		return text.getBytes(StandardCharsets.UTF_8);
	}

	String text(Flux<DataBuffer> content) {
		return DataBufferUtils.join(content).map((buffer) -> {
			String text = buffer.toString(StandardCharsets.UTF_8);
			DataBufferUtils.release(buffer);
			return text;
		}).defaultIfEmpty("").block(TIMEOUT);
	}

	@FunctionalInterface
	interface WriterTask<T> {

		T run(int writer) throws Exception;

	}

}
