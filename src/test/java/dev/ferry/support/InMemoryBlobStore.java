package dev.ferry.support;

import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import dev.ferry.storage.BlobKeys;
import dev.ferry.storage.BlobNotFoundException;
import dev.ferry.storage.BlobStore;
import dev.ferry.storage.BlobVersion;
import dev.ferry.storage.ConditionalWrite;
import dev.ferry.storage.VersionedBlob;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;

/**
 * A blob store in a map, with a counter as version: a third implementation of the
 * contract, linearizable by construction, for the compare-and-swap races that s3proxy's
 * file backends do not keep.
 */
public final class InMemoryBlobStore implements BlobStore {

	private final Map<String, Entry> blobs = new ConcurrentHashMap<>();

	private final AtomicLong versions = new AtomicLong();

	@Override
	public Mono<Long> write(String key, Flux<DataBuffer> content) {
		BlobKeys.checked(key);
		return DataBufferUtils.join(content).map((buffer) -> {
			byte[] bytes = new byte[buffer.readableByteCount()];
			buffer.read(bytes);
			DataBufferUtils.release(buffer);
			this.blobs.put(key, entry(bytes));
			return (long) bytes.length;
		}).defaultIfEmpty(0L).doOnNext((length) -> this.blobs.computeIfAbsent(key, (absent) -> entry(new byte[0])));
	}

	@Override
	public Flux<DataBuffer> read(String key, long offset) {
		BlobKeys.checked(key);
		return Flux.defer(() -> {
			Entry entry = this.blobs.get(key);
			if (entry == null) {
				return Flux.error(new BlobNotFoundException(key));
			}
			int from = (int) Math.min(offset, entry.bytes.length);
			return (from == entry.bytes.length) ? Flux.empty() : Flux.just(DefaultDataBufferFactory.sharedInstance
				.wrap(Arrays.copyOfRange(entry.bytes, from, entry.bytes.length)));
		});
	}

	@Override
	public Mono<VersionedBlob> get(String key) {
		BlobKeys.checked(key);
		return Mono.fromSupplier(() -> {
			Entry entry = this.blobs.get(key);
			return (entry != null) ? new VersionedBlob(entry.bytes.clone(), entry.version) : null;
		});
	}

	@Override
	public Mono<ConditionalWrite> create(String key, byte[] content) {
		BlobKeys.checked(key);
		return Mono.fromSupplier(() -> {
			Entry created = entry(content.clone());
			Entry existing = this.blobs.putIfAbsent(key, created);
			return (existing == null) ? ConditionalWrite.won(created.version) : ConditionalWrite.lost();
		});
	}

	@Override
	public Mono<ConditionalWrite> replace(String key, byte[] content, BlobVersion expected) {
		BlobKeys.checked(key);
		return Mono.fromSupplier(() -> {
			ConditionalWrite[] outcome = { ConditionalWrite.missing() };
			this.blobs.computeIfPresent(key, (present, entry) -> {
				if (!entry.version.equals(expected)) {
					outcome[0] = ConditionalWrite.lost();
					return entry;
				}
				Entry replaced = entry(content.clone());
				outcome[0] = ConditionalWrite.won(replaced.version);
				return replaced;
			});
			return outcome[0];
		});
	}

	@Override
	public Mono<Void> delete(String key) {
		BlobKeys.checked(key);
		return Mono.fromRunnable(() -> this.blobs.remove(key));
	}

	@Override
	public Flux<String> list(String folder) {
		String prefix = folder.endsWith("/") ? folder : folder + "/";
		return Flux.defer(() -> Flux.fromIterable(this.blobs.keySet()))
			.filter((key) -> key.startsWith(prefix) && key.indexOf('/', prefix.length()) < 0)
			.map((key) -> key.substring(prefix.length()));
	}

	@Override
	public String describe() {
		return "memory";
	}

	private Entry entry(byte[] bytes) {
		return new Entry(bytes, new BlobVersion(Long.toString(this.versions.incrementAndGet())));
	}

	private record Entry(byte[] bytes, BlobVersion version) {
	}

}
