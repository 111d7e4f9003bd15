package dev.ferry.auth;

import dev.ferry.config.FerryProperties;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.server.WebFilter;

/**
 * The configured gateway keys, and the filter that carries each caller's headers through
 * the whole exchange.
 */
@Configuration(proxyBeanMethods = false)
class AuthConfiguration {

	@Bean
	WebFilter callerHeadersForStreamedBodies() {
		return CallerHeaders.streamedBodies();
	}

	@Bean
	GatewayKeys gatewayKeys(FerryProperties properties) {
		return new GatewayKeys(properties.auth().keys());
	}

}
