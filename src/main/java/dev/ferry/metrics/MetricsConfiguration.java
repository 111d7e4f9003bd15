package dev.ferry.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

import dev.ferry.results.ResultSpools;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.server.reactive.observation.ServerRequestObservationConvention;

/**
 * Ferry's metrics beside Spring Boot's: requests tagged by dialect and provider, and the
 * result spool's disk use.
 */
@Configuration(proxyBeanMethods = false)
class MetricsConfiguration {

	@Bean
	ServerRequestObservationConvention ferryRequestConvention() {
		return new FerryRequestConvention();
	}

	@Bean
	Gauge resultSpoolBytes(MeterRegistry registry, ResultSpools spools) {
		return Gauge.builder("ferry.results.spool.bytes", spools, ResultSpools::storedBytes)
			.description("Bytes the complete result spools take in the blob store, as of this replica's last sweep")
			.baseUnit("bytes")
			.register(registry);
	}

}
