package dev.ferry.batch;

import java.util.Optional;

import org.jspecify.annotations.Nullable;

import dev.ferry.auth.CallerHeaders;
import dev.ferry.auth.GatewayKeys.Gateway;

import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.server.ServerRequest;

/**
 * Picks the provider for a request, first match wins: {@code provider} query parameter,
 * {@code x-model-provider} header, {@code provider} body field, {@code provider/model}
 * prefix of the model, the provider carried by an id Ferry minted (in the path, or the
 * create body's {@code input_file_id}), the provider whose family alone mints an id's
 * native prefix ({@code msgbatch_}: anthropic), then the dialect's default.
 */
@Component
public class ProviderResolver {

	/** The request attribute naming the provider a request resolved to, for metrics. */
	public static final String PROVIDER_ATTRIBUTE = "ferry.provider";

	/** The header naming the provider. */
	public static final String PROVIDER_HEADER = "x-model-provider";

	private final ProviderRegistry registry;

	public ProviderResolver(ProviderRegistry registry) {
		this.registry = registry;
	}

	/**
	 * Resolves the provider for a request that carries no body hints.
	 * @param request the request
	 * @param dialectDefault the dialect's default provider, or {@code null} if it has
	 * none
	 * @return the provider
	 */
	public BatchProvider resolve(ServerRequest request, @Nullable String dialectDefault) {
		return resolve(request, null, null, dialectDefault);
	}

	/**
	 * Resolves the provider for a request.
	 * @param request the request
	 * @param bodyProvider a {@code provider} field of the body, if any
	 * @param modelPrefix the provider named by the model's prefix, or carried by a minted
	 * id in the body, if any
	 * @param dialectDefault the dialect's default provider, or {@code null}
	 * @return the provider
	 * @throws ApiError 400 for an unknown provider, or when nothing names one
	 */
	public BatchProvider resolve(ServerRequest request, @Nullable String bodyProvider, @Nullable String modelPrefix,
			@Nullable String dialectDefault) {
		Optional<String> named = request.queryParam("provider")
			.or(() -> Optional.ofNullable(request.headers().firstHeader(PROVIDER_HEADER)))
			.or(() -> Optional.ofNullable(bodyProvider))
			.or(() -> Optional.ofNullable(modelPrefix))
			.or(() -> request.pathVariables()
				.values()
				.stream()
				.map(FerryIds::providerOf)
				.flatMap(Optional::stream)
				.findFirst())
			.or(() -> request.pathVariables()
				.values()
				.stream()
				.map(this.registry::byNativeId)
				.flatMap(Optional::stream)
				.findFirst())
			.or(() -> Optional.ofNullable(dialectDefault))
			.filter((name) -> !name.isBlank());
		BatchProvider provider = named.map(String::trim)
			.map(this.registry::get)
			.orElseThrow(() -> ApiError.invalid("provider",
					"no provider given: pass the 'provider' query parameter, the x-model-provider header, "
							+ "or a model written as 'provider/model' (configured: "
							+ String.join(", ", this.registry.names()) + ")"));
		request.attributes().put(PROVIDER_ATTRIBUTE, provider.name());
		Gateway gateway = CallerHeaders.of(request).gateway();
		if (gateway != null && !gateway.allows(provider.name())) {
			throw new ApiError(403, "permission_error", "provider_not_allowed",
					"gateway key '" + gateway.name() + "' may not use provider '" + provider.name() + "' (allowed: "
							+ String.join(", ", gateway.providers().stream().sorted().toList()) + ")",
					null, null);
		}
		return provider;
	}

	public ProviderRegistry registry() {
		return this.registry;
	}

}
