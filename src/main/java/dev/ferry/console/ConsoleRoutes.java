package dev.ferry.console;

import java.net.URI;

import dev.ferry.auth.CallerHeaders;
import dev.ferry.auth.GatewayKeys;
import dev.ferry.dialect.unified.UnifiedErrorRenderer;

import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.io.ClassPathResource;
import org.springframework.http.CacheControl;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;

/**
 * Serves the console when {@code ferry.console.enabled} is set: its pages and scripts
 * from the jar, and its API behind the same gateway keys as every dialect.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(name = "ferry.console.enabled", havingValue = "true")
class ConsoleRoutes {

	@Bean
	RouterFunction<ServerResponse> console(ConsoleApi api, GatewayKeys keys) {
		if (!keys.any()) {
			throw new IllegalStateException("ferry.console.enabled needs gateway keys to sign in with: configure "
					+ "ferry.auth.keys (name, key) or turn the console off");
		}
		RouterFunction<ServerResponse> pages = RouterFunctions.route()
			.GET("/console", (request) -> ServerResponse.permanentRedirect(URI.create("/console/")).build())
			.GET("/console/",
					(request) -> ServerResponse.ok()
						.cacheControl(CacheControl.noCache())
						.bodyValue(new ClassPathResource("console/index.html")))
			.build()
			.and(RouterFunctions.resources("/console/**", new ClassPathResource("console/")));
		RouterFunction<ServerResponse> calls = RouterFunctions.route()
			.GET("/console/api/session", api::session)
			.GET("/console/api/batches", api::batches)
			.filter(new UnifiedErrorRenderer().asFilter())
			.filter(CallerHeaders.capture(keys))
			.build();
		return calls.and(pages);
	}

}
