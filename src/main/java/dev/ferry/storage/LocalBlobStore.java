package dev.ferry.storage;

import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import dev.ferry.batch.RandomIds;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;

/**
 * A {@link BlobStore} on the local file system, the embedded single-node default.
 *
 * <p>
 * Writes go to a temporary file that is moved into place when complete, so a reader never
 * sees half a blob. Create-only puts link a finished temporary file under the key, which
 * fails if the key exists, so they hold even between processes sharing the directory;
 * compare-and-swap holds within one process. File I/O is plain stream I/O on the bounded
 * elastic scheduler, never on an event loop; a small prefetch keeps backpressure towards
 * the producer, so memory stays bounded whatever the blob's size.
 */
public final class LocalBlobStore implements BlobStore {

	private static final int READ_BUFFER_SIZE = 64 * 1024;

	/** Buffers in flight between the producer and the disk writer. */
	private static final int WRITE_PREFETCH = 4;

	private static final String TEMPORARY = ".tmp";

	private final Path root;

	/** Serialises conditional writes per key within this process. */
	private final Object[] locks = new Object[64];

	public LocalBlobStore(Path root) {
		this.root = root.toAbsolutePath().normalize();
		Arrays.setAll(this.locks, (index) -> new Object());
	}

	@Override
	public Mono<Long> write(String key, Flux<DataBuffer> content) {
		Path target = resolve(key);
		Path temporary = temporaryBeside(target);
		AtomicLong written = new AtomicLong();
		Flux<DataBuffer> buffers = content.doOnNext((buffer) -> written.addAndGet(buffer.readableByteCount()))
			.publishOn(Schedulers.boundedElastic(), WRITE_PREFETCH);
		return Mono.using(() -> open(temporary),
				(out) -> DataBufferUtils.write(buffers, out)
					.doOnNext(DataBufferUtils::release)
					.then(Mono.fromCallable(() -> {
						out.close();
						Files.move(temporary, target, StandardCopyOption.REPLACE_EXISTING,
								StandardCopyOption.ATOMIC_MOVE);
						return written.get();
					})),
				LocalBlobStore::closeQuietly)
			.subscribeOn(Schedulers.boundedElastic())
			.onErrorResume((error) -> deleteQuietly(temporary).then(Mono.error(error)))
			.doOnCancel(() -> deleteQuietly(temporary).subscribe());
	}

	@Override
	public Flux<DataBuffer> read(String key, long offset) {
		Path path = resolve(key);
		return Flux
			.using(() -> FileChannel.open(path, StandardOpenOption.READ),
					(channel) -> DataBufferUtils.readByteChannel(() -> channel.position(Math.max(offset, 0)),
							DefaultDataBufferFactory.sharedInstance, READ_BUFFER_SIZE),
					LocalBlobStore::closeQuietly)
			.onErrorMap(NoSuchFileException.class, (ex) -> new BlobNotFoundException(key))
			.subscribeOn(Schedulers.boundedElastic());
	}

	@Override
	public Mono<VersionedBlob> get(String key) {
		Path path = resolve(key);
		return Mono.fromCallable(() -> {
			synchronized (lockFor(key)) {
				try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
					BlobVersion version = versionOf(path);
					ByteBuffer bytes = ByteBuffer.allocate(Math.toIntExact(channel.size()));
					while (bytes.hasRemaining() && channel.read(bytes) >= 0) {
						// Reads until the whole blob is in.
					}
					return new VersionedBlob(bytes.array(), version);
				}
				catch (NoSuchFileException ex) {
					return null;
				}
			}
		}).subscribeOn(Schedulers.boundedElastic());
	}

	/**
	 * Writes the bytes to a temporary file and links it under the key: linking fails if
	 * the key exists, so the check and the write are one step.
	 */
	@Override
	public Mono<ConditionalWrite> create(String key, byte[] content) {
		Path target = resolve(key);
		return Mono.fromCallable(() -> {
			Path temporary = writeTemporary(target, content);
			try {
				synchronized (lockFor(key)) {
					Files.createLink(target, temporary);
					return ConditionalWrite.won(versionOf(target));
				}
			}
			catch (FileAlreadyExistsException ex) {
				return ConditionalWrite.lost();
			}
			finally {
				Files.deleteIfExists(temporary);
			}
		}).subscribeOn(Schedulers.boundedElastic());
	}

	/**
	 * Compares and swaps under a lock per key: linearizable within this process only, as
	 * the README says of the local store.
	 */
	@Override
	public Mono<ConditionalWrite> replace(String key, byte[] content, BlobVersion expected) {
		Path target = resolve(key);
		return Mono.fromCallable(() -> {
			Path temporary = writeTemporary(target, content);
			try {
				synchronized (lockFor(key)) {
					BlobVersion current;
					try {
						current = versionOf(target);
					}
					catch (NoSuchFileException ex) {
						return ConditionalWrite.missing();
					}
					if (!current.equals(expected)) {
						return ConditionalWrite.lost();
					}
					Files.move(temporary, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
					return ConditionalWrite.won(versionOf(target));
				}
			}
			finally {
				Files.deleteIfExists(temporary);
			}
		}).subscribeOn(Schedulers.boundedElastic());
	}

	@Override
	public Mono<Void> delete(String key) {
		Path path = resolve(key);
		return Mono.fromCallable(() -> {
			synchronized (lockFor(key)) {
				return Files.deleteIfExists(path);
			}
		}).subscribeOn(Schedulers.boundedElastic()).then();
	}

	@Override
	public Flux<String> list(String folder) {
		Path directory = resolve(folder);
		return Flux
			.using(() -> Files.isDirectory(directory) ? Files.list(directory) : Stream.<Path>empty(),
					(paths) -> Flux.fromStream(paths.filter(Files::isRegularFile)
						.map((path) -> path.getFileName().toString())
						.filter((name) -> !name.endsWith(TEMPORARY))),
					Stream::close)
			.subscribeOn(Schedulers.boundedElastic());
	}

	@Override
	public String describe() {
		return "local directory " + this.root;
	}

	private static OutputStream open(Path temporary) throws IOException {
		Files.createDirectories(temporary.getParent());
		return Files.newOutputStream(temporary, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
	}

	private static Path temporaryBeside(Path target) {
		return target.resolveSibling(target.getFileName() + "." + RandomIds.hex(8) + TEMPORARY);
	}

	private static Path writeTemporary(Path target, byte[] content) throws IOException {
		Path temporary = temporaryBeside(target);
		Files.createDirectories(target.getParent());
		Files.write(temporary, content, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
		return temporary;
	}

	/**
	 * A file's identity: every write makes a new file (written aside, then moved or
	 * linked in), so its inode and modification time change with every version.
	 */
	private static BlobVersion versionOf(Path path) throws IOException {
		BasicFileAttributes attributes = Files.readAttributes(path, BasicFileAttributes.class);
		return new BlobVersion(attributes.fileKey() + "@" + attributes.lastModifiedTime().to(TimeUnit.NANOSECONDS) + "/"
				+ attributes.size());
	}

	private Object lockFor(String key) {
		return this.locks[Math.floorMod(key.hashCode(), this.locks.length)];
	}

	private static void closeQuietly(Closeable closeable) {
		try {
			closeable.close();
		}
		catch (IOException ex) {
			// Already closed after a successful write; on failure the file is deleted.
		}
	}

	private static Mono<Boolean> deleteQuietly(Path path) {
		return Mono.fromCallable(() -> Files.deleteIfExists(path))
			.subscribeOn(Schedulers.boundedElastic())
			.onErrorReturn(false);
	}

	private Path resolve(String key) {
		return this.root.resolve(BlobKeys.checked(key));
	}

}
