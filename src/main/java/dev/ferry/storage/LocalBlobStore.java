package dev.ferry.storage;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;

/**
 * A {@link BlobStore} on the local file system, the embedded default.
 *
 * <p>
 * Writes go to a temporary file that is moved into place when complete, so a reader never
 * sees half a blob. File channel I/O is asynchronous; the few blocking calls (directory
 * creation, move, delete) run on the bounded elastic scheduler.
 */
public final class LocalBlobStore implements BlobStore {

	private static final Pattern KEY = Pattern.compile("[A-Za-z0-9._/-]{1,512}");

	private static final int READ_BUFFER_SIZE = 64 * 1024;

	private final Path root;

	public LocalBlobStore(Path root) {
		this.root = root.toAbsolutePath().normalize();
	}

	@Override
	public Mono<Long> write(String key, Flux<DataBuffer> content) {
		Path target = resolve(key);
		Path temporary = target.resolveSibling(target.getFileName() + "." + UUID.randomUUID() + ".tmp");
		AtomicLong written = new AtomicLong();
		Flux<DataBuffer> counted = content.doOnNext((buffer) -> written.addAndGet(buffer.readableByteCount()));
		return Mono.fromCallable(() -> Files.createDirectories(target.getParent()))
			.subscribeOn(Schedulers.boundedElastic())
			.then(DataBufferUtils.write(counted, temporary, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE))
			.then(Mono.fromCallable(() -> {
				Files.move(temporary, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
				return written.get();
			}).subscribeOn(Schedulers.boundedElastic()))
			.onErrorResume((error) -> deleteQuietly(temporary).then(Mono.error(error)))
			.doOnCancel(() -> deleteQuietly(temporary).subscribe());
	}

	@Override
	public Flux<DataBuffer> read(String key) {
		return DataBufferUtils.read(resolve(key), DefaultDataBufferFactory.sharedInstance, READ_BUFFER_SIZE);
	}

	@Override
	public Mono<Boolean> delete(String key) {
		Path path = resolve(key);
		return Mono.fromCallable(() -> Files.deleteIfExists(path)).subscribeOn(Schedulers.boundedElastic());
	}

	private Mono<Boolean> deleteQuietly(Path path) {
		return Mono.fromCallable(() -> {
			try {
				return Files.deleteIfExists(path);
			}
			catch (IOException ex) {
				throw new UncheckedIOException(ex);
			}
		}).subscribeOn(Schedulers.boundedElastic()).onErrorReturn(false);
	}

	private Path resolve(String key) {
		if (!KEY.matcher(key).matches() || key.contains("..") || key.startsWith("/")) {
			throw new IllegalArgumentException("blob key: '" + key + "' (expected: [A-Za-z0-9._/-]{1,512}, no '..')");
		}
		return this.root.resolve(key);
	}

}
