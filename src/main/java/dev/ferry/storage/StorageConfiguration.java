package dev.ferry.storage;

import dev.ferry.config.FerryProperties;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Provides the blob store: the local file system under {@code ferry.storage.path}.
 */
@Configuration(proxyBeanMethods = false)
class StorageConfiguration {

	@Bean
	BlobStore blobStore(FerryProperties properties) {
		return new LocalBlobStore(properties.storage().path());
	}

}
