package dev.ferry.storage;

import dev.ferry.config.FerryProperties;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Provides the blob store from {@code ferry.storage.*}, once it has shown that it keeps
 * create-only puts: Ferry's claims and leases are worthless on a store that does not.
 */
@Configuration(proxyBeanMethods = false)
class StorageConfiguration {

	@Bean
	BlobStore blobStore(FerryProperties properties) throws Exception {
		FerryProperties.Storage storage = properties.storage();
		BlobStore store = switch (storage.type()) {
			case LOCAL -> new LocalBlobStore(storage.path());
			case S3 -> S3Stores.create(storage.s3());
		};
		try {
			StoreProbe.check(store, storage);
			return store;
		}
		catch (RuntimeException ex) {
			if (store instanceof AutoCloseable closeable) {
				closeable.close();
			}
			throw ex;
		}
	}

}
