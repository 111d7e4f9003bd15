package dev.ferry.storage;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import dev.ferry.batch.RandomIds;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;

/**
 * A {@link BlobStore} on the local file system, the embedded default.
 *
 * <p>
 * Writes go to a temporary file that is moved into place when complete, so a reader never
 * sees half a blob. File I/O is plain stream I/O on the bounded elastic scheduler, never
 * on an event loop; a small prefetch keeps backpressure towards the producer, so memory
 * stays bounded whatever the blob's size.
 */
public final class LocalBlobStore implements BlobStore {

	private static final Pattern KEY = Pattern.compile("[A-Za-z0-9._/-]{1,512}");

	private static final int READ_BUFFER_SIZE = 64 * 1024;

	/** Buffers in flight between the producer and the disk writer. */
	private static final int WRITE_PREFETCH = 4;

	private final Path root;

	public LocalBlobStore(Path root) {
		this.root = root.toAbsolutePath().normalize();
	}

	@Override
	public Mono<Long> write(String key, Flux<DataBuffer> content) {
		Path target = resolve(key);
		Path temporary = target.resolveSibling(target.getFileName() + "." + RandomIds.hex(8) + ".tmp");
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

	/**
	 * Writes the bytes to a temporary file and links it under the key: linking fails if
	 * the key exists, so the check and the write are one step.
	 */
	@Override
	public Mono<Boolean> writeIfAbsent(String key, byte[] content) {
		Path target = resolve(key);
		return Mono.fromCallable(() -> {
			Path temporary = target.resolveSibling(target.getFileName() + "." + RandomIds.hex(8) + ".tmp");
			Files.createDirectories(target.getParent());
			Files.write(temporary, content, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
			try {
				Files.createLink(target, temporary);
				return true;
			}
			catch (FileAlreadyExistsException ex) {
				return false;
			}
			finally {
				Files.deleteIfExists(temporary);
			}
		}).subscribeOn(Schedulers.boundedElastic());
	}

	@Override
	public Flux<DataBuffer> read(String key) {
		Path path = resolve(key);
		return DataBufferUtils
			.readInputStream(() -> Files.newInputStream(path), DefaultDataBufferFactory.sharedInstance,
					READ_BUFFER_SIZE)
			.onErrorMap(NoSuchFileException.class, (ex) -> new BlobNotFoundException(key))
			.subscribeOn(Schedulers.boundedElastic());
	}

	@Override
	public Mono<Boolean> delete(String key) {
		Path path = resolve(key);
		return Mono.fromCallable(() -> Files.deleteIfExists(path)).subscribeOn(Schedulers.boundedElastic());
	}

	@Override
	public Flux<String> list(String folder) {
		Path directory = resolve(folder);
		return Flux
			.using(() -> Files.isDirectory(directory) ? Files.list(directory) : Stream.<Path>empty(),
					(paths) -> Flux.fromStream(paths.filter(Files::isRegularFile)
						.map((path) -> path.getFileName().toString())
						.filter((name) -> !name.endsWith(".tmp"))),
					Stream::close)
			.subscribeOn(Schedulers.boundedElastic());
	}

	private static OutputStream open(Path temporary) throws IOException {
		Files.createDirectories(temporary.getParent());
		return Files.newOutputStream(temporary, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
	}

	private static void closeQuietly(OutputStream out) {
		try {
			out.close();
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
		if (!KEY.matcher(key).matches() || key.contains("..") || key.startsWith("/")) {
			throw new IllegalArgumentException("blob key: '" + key + "' (expected: [A-Za-z0-9._/-]{1,512}, no '..')");
		}
		return this.root.resolve(key);
	}

}
