package dev.ferry.results;

import java.nio.ByteBuffer;
import java.time.Duration;

import com.github.benmanes.caffeine.cache.AsyncCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import dev.ferry.storage.BlobStore;
import dev.ferry.storage.VersionedBlob;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;

/**
 * The spool segments this replica read lately, kept in memory within a byte budget, so
 * that the pages of one segment cost one read from the store rather than one each.
 * Segments never change once written, so a kept copy is never stale. Concurrent readers
 * of a segment share its one read.
 */
final class SegmentCache {

	private static final int CHUNK_BYTES = 64 * 1024;

	private static final Duration IDLE = Duration.ofMinutes(10);

	private final BlobStore store;

	private final @Nullable AsyncCache<String, byte[]> kept;

	/**
	 * A cache in front of a store.
	 * @param store the store
	 * @param maxBytes the memory the kept segments may take; 0 reads every page from the
	 * store
	 */
	SegmentCache(BlobStore store, long maxBytes) {
		this.store = store;
		this.kept = (maxBytes > 0) ? Caffeine.newBuilder()
			.maximumWeight(maxBytes)
			.weigher((String key, byte[] segment) -> segment.length)
			.expireAfterAccess(IDLE)
			.buildAsync() : null;
	}

	/**
	 * A segment's bytes from an offset to its end.
	 * @param key the segment's key
	 * @param from the offset in the segment
	 * @return the bytes in chunks; empty if there is no such segment
	 */
	Flux<DataBuffer> read(String key, long from) {
		AsyncCache<String, byte[]> cache = this.kept;
		if (cache == null) {
			return this.store.read(key, from);
		}
		// One reader going away does not cancel the read others share.
		return Mono
			.fromFuture(() -> cache.get(key,
					(segment, executor) -> this.store.get(segment).map(VersionedBlob::bytes).toFuture()), true)
			.flatMapMany((segment) -> chunks(segment, from));
	}

	private static Flux<DataBuffer> chunks(byte[] segment, long from) {
		return Flux.generate(() -> (int) Math.min(from, segment.length), (position, sink) -> {
			if (position >= segment.length) {
				sink.complete();
				return position;
			}
			int length = Math.min(CHUNK_BYTES, segment.length - position);
			sink.next(DefaultDataBufferFactory.sharedInstance.wrap(ByteBuffer.wrap(segment, position, length).slice()));
			return position + length;
		});
	}

}
