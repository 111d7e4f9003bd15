package dev.ferry.results;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Stream;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Schedulers;

import dev.ferry.batch.Sha256;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;

/**
 * The result spool: a per-replica disk cache holding each batch's results as downloaded,
 * so a full traversal in pages of any size reads upstream once.
 *
 * <p>
 * The first reader of a batch starts the one download; readers, the first included, read
 * from any byte offset as soon as the bytes there have arrived, while the download goes
 * on. A download that fails fails its readers and is forgotten, so the next request
 * starts again. A finished spool is marked complete and kept until it goes unread for the
 * time to live, or until the disk budget needs its room. A spool that is missing
 * (evicted, never made on this replica, lost in a restart) is simply downloaded again.
 *
 * <p>
 * All file I/O runs on the bounded elastic scheduler; memory holds a few buffers per
 * reader and per download, whatever the size of the results.
 */
public final class ResultSpools implements AutoCloseable {

	private static final Log logger = LogFactory.getLog(ResultSpools.class);

	private static final int CHUNK_BYTES = 64 * 1024;

	/** Upstream buffers queued for the disk writer; the rest waits upstream. */
	private static final int WRITE_QUEUE = 8;

	private static final String SPOOL = ".spool";

	private static final String COMPLETE = ".done";

	private final Path directory;

	private final Limits limits;

	private final Clock clock;

	private final Map<String, Download> downloads = new ConcurrentHashMap<>();

	private final Disposable sweeper;

	/** What all spools took on disk at the last sweep. */
	private volatile long diskUse;

	/**
	 * Spools in a directory.
	 * @param directory the directory, created when needed
	 * @param limits how long spools live, how much disk they may take, how long a
	 * download may stall
	 * @param clock the clock ages are measured with
	 */
	public ResultSpools(Path directory, Limits limits, Clock clock) {
		this.directory = directory.toAbsolutePath().normalize();
		this.limits = limits;
		this.clock = clock;
		long sweepMillis = limits.sweepInterval().toMillis();
		this.sweeper = Schedulers.boundedElastic()
			.schedulePeriodically(this::sweepQuietly, sweepMillis, sweepMillis, TimeUnit.MILLISECONDS);
	}

	/**
	 * Reads a spool from a byte offset, starting its download if it has none.
	 * @param key what the results belong to, such as the provider and batch id
	 * @param offset where to start reading
	 * @param download starts the upstream download, called only when the spool is missing
	 * @return the bytes from the offset to the end of the results; fails if the download
	 * fails
	 */
	public Flux<DataBuffer> read(String key, long offset, Supplier<Flux<DataBuffer>> download) {
		// The download outlives the request that starts it, but runs with its
		// context: the caller's credentials travel in it.
		return Flux.deferContextual(
				(context) -> Mono.fromCallable(() -> open(fileName(key), () -> download.get().contextWrite(context)))
					.subscribeOn(Schedulers.boundedElastic())
					.flatMapMany((reader) -> reader.from(offset)));
	}

	/**
	 * Deletes expired spools, then the least recently read complete ones while all spools
	 * together exceed the disk budget. Downloads in progress are never touched.
	 */
	public synchronized void sweep() {
		List<Kept> complete = new ArrayList<>();
		long total = 0;
		Instant expiry = this.clock.instant().minus(this.limits.ttl());
		for (Path spool : spools()) {
			String name = baseName(spool);
			long size = sizeOf(spool);
			if (this.downloads.containsKey(name)) {
				total += size;
				continue;
			}
			boolean isComplete = Files.exists(marker(name));
			Instant lastRead = lastModified(isComplete ? marker(name) : spool);
			if (lastRead.isBefore(expiry)) {
				evict(name);
			}
			else if (isComplete) {
				complete.add(new Kept(name, size, lastRead));
				total += size;
			}
			// Otherwise half-written by a download that did not finish: left until it
			// expires.
		}
		complete.sort(Comparator.comparing(Kept::lastRead));
		for (Kept kept : complete) {
			if (total <= this.limits.maxBytes()) {
				break;
			}
			total -= kept.size();
			evict(kept.name());
		}
		this.diskUse = total;
	}

	/**
	 * The bytes all spools took on disk at the last sweep.
	 * @return the disk use
	 */
	public long diskUse() {
		return this.diskUse;
	}

	@Override
	public void close() {
		this.sweeper.dispose();
		this.downloads.values().forEach(Download::cancel);
	}

	private synchronized Reader open(String name, Supplier<Flux<DataBuffer>> upstream) throws IOException {
		Download active = this.downloads.get(name);
		if (active != null) {
			return active.reader();
		}
		Path marker = marker(name);
		if (Files.exists(marker)) {
			Files.setLastModifiedTime(marker, FileTime.from(this.clock.instant()));
			long length = Long.parseLong(Files.readString(marker, StandardCharsets.US_ASCII).trim());
			FileChannel channel = FileChannel.open(spool(name), StandardOpenOption.READ);
			return (offset) -> readRange(channel, offset, length).doFinally((signal) -> closeQuietly(channel));
		}
		Download started = new Download(name);
		this.downloads.put(name, started);
		started.start(upstream.get());
		return started.reader();
	}

	private synchronized void completed(Download download) throws IOException {
		Path marker = marker(download.name);
		Files.writeString(marker, Long.toString(download.written), StandardCharsets.US_ASCII);
		// The marker's time is when the spool was last read, on the spools' clock.
		Files.setLastModifiedTime(marker, FileTime.from(this.clock.instant()));
		this.downloads.remove(download.name);
	}

	private synchronized void failed(Download download) {
		this.downloads.remove(download.name);
		deleteQuietly(spool(download.name));
	}

	private synchronized void evict(String name) {
		deleteQuietly(marker(name));
		deleteQuietly(spool(name));
	}

	/**
	 * Reads {@code [offset, end)} of a channel in chunks, on the bounded elastic
	 * scheduler.
	 */
	private static Flux<DataBuffer> readRange(FileChannel channel, long offset, long end) {
		return Flux.<DataBuffer, Long>generate(() -> offset, (position, sink) -> {
			if (position >= end) {
				sink.complete();
				return position;
			}
			ByteBuffer chunk = ByteBuffer.allocate((int) Math.min(CHUNK_BYTES, end - position));
			try {
				while (chunk.hasRemaining()) {
					if (channel.read(chunk, position + chunk.position()) < 0) {
						sink.error(new IOException("result spool ended at " + (position + chunk.position())
								+ " bytes, before the expected " + end));
						return position;
					}
				}
			}
			catch (IOException ex) {
				sink.error(ex);
				return position;
			}
			sink.next(DefaultDataBufferFactory.sharedInstance.wrap(chunk.flip()));
			return position + chunk.limit();
		}).subscribeOn(Schedulers.boundedElastic());
	}

	private List<Path> spools() {
		if (!Files.isDirectory(this.directory)) {
			return List.of();
		}
		try (Stream<Path> files = Files.list(this.directory)) {
			return files.filter((path) -> path.getFileName().toString().endsWith(SPOOL)).toList();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	private void sweepQuietly() {
		try {
			sweep();
		}
		catch (RuntimeException ex) {
			logger.warn("Sweeping the result spool failed; retrying at the next interval", ex);
		}
	}

	private static String fileName(String key) {
		return HexFormat.of().formatHex(Sha256.digest(key.getBytes(StandardCharsets.UTF_8)), 0, 16);
	}

	private Path spool(String name) {
		return this.directory.resolve(name + SPOOL);
	}

	private Path marker(String name) {
		return this.directory.resolve(name + COMPLETE);
	}

	private static String baseName(Path spool) {
		String file = spool.getFileName().toString();
		return file.substring(0, file.length() - SPOOL.length());
	}

	private static long sizeOf(Path path) {
		try {
			return Files.size(path);
		}
		catch (IOException ex) {
			return 0;
		}
	}

	private static Instant lastModified(Path path) {
		try {
			return Files.getLastModifiedTime(path).toInstant();
		}
		catch (IOException ex) {
			return Instant.EPOCH;
		}
	}

	private static void deleteQuietly(Path path) {
		try {
			Files.deleteIfExists(path);
		}
		catch (IOException ex) {
			logger.warn("Could not delete result spool file " + path, ex);
		}
	}

	private static void closeQuietly(FileChannel channel) {
		try {
			channel.close();
		}
		catch (IOException ex) {
			// Nothing was written through it.
		}
	}

	/**
	 * The spools' limits.
	 *
	 * @param ttl how long a complete spool is kept after it was last read
	 * @param maxBytes the disk budget of all spools
	 * @param sweepInterval how often expired spools are looked for
	 * @param idleTimeout how long a download may go without a byte before it fails
	 */
	public record Limits(Duration ttl, long maxBytes, Duration sweepInterval, Duration idleTimeout) {
	}

	/** A complete spool, as a sweep found it. */
	private record Kept(String name, long size, Instant lastRead) {
	}

	/** Reads one spool from an offset. */
	@FunctionalInterface
	private interface Reader {

		Flux<DataBuffer> from(long offset);

	}

	/** One download in progress, writing to its spool while readers follow it. */
	private final class Download {

		final String name;

		/** How many bytes are on disk; written by the download, read by readers. */
		volatile long written;

		private final Sinks.Many<Long> progress = Sinks.many().replay().latest();

		private final FileChannel channel;

		private volatile Disposable subscription;

		Download(String name) throws IOException {
			this.name = name;
			Files.createDirectories(ResultSpools.this.directory);
			Files.deleteIfExists(marker(name));
			this.channel = FileChannel.open(spool(name), StandardOpenOption.CREATE, StandardOpenOption.WRITE,
					StandardOpenOption.TRUNCATE_EXISTING);
			this.progress.tryEmitNext(0L);
		}

		void start(Flux<DataBuffer> upstream) {
			this.subscription = upstream.timeout(ResultSpools.this.limits.idleTimeout())
				.publishOn(Schedulers.boundedElastic(), WRITE_QUEUE)
				.doOnDiscard(DataBuffer.class, DataBufferUtils::release)
				.subscribe(this::write, this::fail, this::complete);
		}

		Reader reader() throws IOException {
			FileChannel reading = FileChannel.open(spool(this.name), StandardOpenOption.READ);
			return (offset) -> Flux.defer(() -> {
				// Bytes that arrived before a failure are still read, then the failure.
				long[] position = { offset };
				return this.progress.asFlux()
					.onBackpressureLatest()
					.concatMapDelayError((upTo) -> (upTo > position[0]) ? readRange(reading, position[0], upTo)
						.doOnNext((chunk) -> position[0] += chunk.readableByteCount()) : Flux.empty(), true, 1);
			}).doFinally((signal) -> closeQuietly(reading));
		}

		void cancel() {
			Disposable running = this.subscription;
			if (running != null) {
				running.dispose();
			}
			fail(new IllegalStateException("the result spool is shutting down"));
		}

		private void write(DataBuffer buffer) {
			try (DataBuffer.ByteBufferIterator chunks = buffer.readableByteBuffers()) {
				while (chunks.hasNext()) {
					ByteBuffer bytes = chunks.next();
					int length = bytes.remaining();
					while (bytes.hasRemaining()) {
						this.channel.write(bytes);
					}
					this.written += length;
				}
				this.progress.tryEmitNext(this.written);
			}
			catch (IOException ex) {
				throw new UncheckedIOException(ex);
			}
			finally {
				DataBufferUtils.release(buffer);
			}
		}

		private void complete() {
			try {
				this.channel.close();
				completed(this);
				// Within budget before anyone learns the spool is complete.
				sweepQuietly();
				this.progress.tryEmitComplete();
			}
			catch (IOException | RuntimeException ex) {
				fail(ex);
			}
		}

		private void fail(Throwable error) {
			closeQuietly(this.channel);
			failed(this);
			this.progress.tryEmitError(error);
		}

	}

}
