package dev.ferry.dialect;

import dev.ferry.batch.RandomIds;
import dev.ferry.config.FerryProperties;

import org.springframework.context.annotation.Configuration;
import org.springframework.http.codec.ServerCodecConfigurer;
import org.springframework.web.reactive.config.WebFluxConfigurer;

/**
 * Sizes the server codecs: JSON create bodies carry inline requests, so they may be
 * larger than WebFlux's default in-memory limit. Seeds the random ids at start-up, so
 * that no event loop ever waits for the seed.
 */
@Configuration(proxyBeanMethods = false)
class DialectConfiguration implements WebFluxConfigurer {

	private final FerryProperties properties;

	DialectConfiguration(FerryProperties properties) {
		this.properties = properties;
		RandomIds.seed();
	}

	@Override
	public void configureHttpMessageCodecs(ServerCodecConfigurer configurer) {
		configurer.defaultCodecs().maxInMemorySize((int) this.properties.files().maxRequestBody().toBytes());
	}

}
