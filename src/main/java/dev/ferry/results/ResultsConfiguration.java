package dev.ferry.results;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;

import dev.ferry.batch.RandomIds;
import dev.ferry.config.FerryProperties;
import dev.ferry.storage.BlobStore;
import dev.ferry.storage.VersionedBlob;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.util.unit.DataSize;

/**
 * The results cursor codec and the result spool, from {@code ferry.results.*}.
 */
@Configuration(proxyBeanMethods = false)
class ResultsConfiguration {

	private static final String CURSOR_SECRET = "secrets/results-cursor";

	private static final Duration STARTUP_WAIT = Duration.ofSeconds(30);

	/** Segments kept in memory with a remote store; the local one is cached by the OS. */
	private static final DataSize DEFAULT_S3_CACHE = DataSize.ofMegabytes(32);

	@Bean
	ResultCursors resultCursors(FerryProperties properties, BlobStore store) {
		String configured = properties.results().cursorSecret();
		return new ResultCursors((configured != null && !configured.isBlank()) ? configured : sharedSecret(store));
	}

	private static long cacheBytes(FerryProperties properties) {
		DataSize configured = properties.results().spool().cacheSize();
		if (configured != null) {
			return configured.toBytes();
		}
		return (properties.storage().type() == FerryProperties.StorageType.S3) ? DEFAULT_S3_CACHE.toBytes() : 0;
	}

	/**
	 * A secret drawn once for every replica sharing the store: the first replica to start
	 * creates it, the others read it, so cursors work on any replica and across restarts
	 * without configuration.
	 */
	private static String sharedSecret(BlobStore store) {
		byte[] drawn = RandomIds.hex(32).getBytes(StandardCharsets.US_ASCII);
		store.create(CURSOR_SECRET, drawn).block(STARTUP_WAIT);
		VersionedBlob kept = store.get(CURSOR_SECRET)
			.blockOptional(STARTUP_WAIT)
			.orElseThrow(() -> new IllegalStateException(
					"ferry.storage: the cursor secret written to " + store.describe() + " could not be read back"));
		return new String(kept.bytes(), StandardCharsets.US_ASCII);
	}

	@Bean
	ResultSpools resultSpools(FerryProperties properties, BlobStore store) {
		FerryProperties.Spool spool = properties.results().spool();
		return new ResultSpools(store,
				new ResultSpools.Limits(Math.toIntExact(spool.segmentSize().toBytes()), spool.leaseDuration(),
						spool.pollInterval(), spool.ttl(), spool.maxSize().toBytes(), spool.sweepInterval(),
						spool.idleTimeout(), cacheBytes(properties)),
				Clock.systemUTC());
	}

}
