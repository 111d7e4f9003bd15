package dev.ferry.web;

import dev.ferry.config.FerryProperties;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.server.WebFilter;
import org.springframework.http.codec.ServerCodecConfigurer;
import org.springframework.web.reactive.config.WebFluxConfigurer;

/**
 * Sizes the server codecs: JSON create bodies carry inline requests, so they may be
 * larger than WebFlux's default in-memory limit.
 */
@Configuration(proxyBeanMethods = false)
class WebConfiguration implements WebFluxConfigurer {

	private final FerryProperties properties;

	WebConfiguration(FerryProperties properties) {
		this.properties = properties;
		RandomIds.seed();
	}

	@Bean
	WebFilter callerHeadersForStreamedBodies() {
		return CallerHeaders.streamedBodies();
	}

	@Bean
	GatewayKeys gatewayKeys() {
		return new GatewayKeys(this.properties.auth().keys());
	}

	@Override
	public void configureHttpMessageCodecs(ServerCodecConfigurer configurer) {
		configurer.defaultCodecs().maxInMemorySize((int) this.properties.files().maxRequestBody().toBytes());
	}

}
