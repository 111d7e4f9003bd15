package dev.ferry.dialect.unified;

import java.util.List;

import reactor.core.publisher.Mono;

import dev.ferry.auth.CallerHeaders;
import dev.ferry.auth.GatewayKeys.Gateway;
import dev.ferry.batch.ProviderRegistry;
import dev.ferry.dialect.JsonResponses;

import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;

/**
 * {@code GET /v1/providers}: the configured providers and what each can do, those a
 * caller's gateway key may use when it presents one. Keys are never shown; whether one is
 * configured is.
 */
@Component
class UnifiedProvidersHandler {

	private final ProviderRegistry registry;

	UnifiedProvidersHandler(ProviderRegistry registry) {
		this.registry = registry;
	}

	Mono<ServerResponse> list(ServerRequest request) {
		Gateway gateway = CallerHeaders.of(request).gateway();
		List<UnifiedProvider> data = this.registry.names()
			.stream()
			.filter((name) -> gateway == null || gateway.allows(name))
			.map((name) -> UnifiedProvider.of(this.registry.get(name), this.registry))
			.toList();
		return JsonResponses.ok(new Providers("list", data));
	}

	/**
	 * The list.
	 *
	 * @param object always {@code list}
	 * @param data the providers, by name
	 */
	record Providers(String object, List<UnifiedProvider> data) {
	}

}
