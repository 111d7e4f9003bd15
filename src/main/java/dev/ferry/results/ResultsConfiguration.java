package dev.ferry.results;

import java.nio.file.Path;
import java.time.Clock;

import dev.ferry.config.FerryProperties;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The results cursor codec and the result spool, from {@code ferry.results.*}.
 */
@Configuration(proxyBeanMethods = false)
class ResultsConfiguration {

	@Bean
	ResultCursors resultCursors(FerryProperties properties) {
		return new ResultCursors(properties.results().cursorSecret());
	}

	@Bean
	ResultSpools resultSpools(FerryProperties properties) {
		FerryProperties.Spool spool = properties.results().spool();
		Path directory = (spool.path() != null) ? spool.path() : properties.storage().path().resolve("spool");
		return new ResultSpools(directory, new ResultSpools.Limits(spool.ttl(), spool.maxSize().toBytes(),
				spool.sweepInterval(), spool.idleTimeout()), Clock.systemUTC());
	}

}
