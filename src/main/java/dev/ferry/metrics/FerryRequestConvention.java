package dev.ferry.metrics;

import io.micrometer.common.KeyValue;
import io.micrometer.common.KeyValues;

import dev.ferry.batch.ProviderResolver;

import org.springframework.http.server.reactive.observation.DefaultServerRequestObservationConvention;
import org.springframework.http.server.reactive.observation.ServerRequestObservationContext;

/**
 * Tags {@code http.server.requests} with the dialect a request came through and the
 * provider it was resolved to, beside Spring's method, route ({@code uri}), status and
 * outcome. Both are bounded: three dialects, the configured provider names.
 */
class FerryRequestConvention extends DefaultServerRequestObservationConvention {

	@Override
	public KeyValues getLowCardinalityKeyValues(ServerRequestObservationContext context) {
		Object provider = context.getAttributes().get(ProviderResolver.PROVIDER_ATTRIBUTE);
		return super.getLowCardinalityKeyValues(context).and(KeyValue.of("dialect", dialect(context)),
				KeyValue.of("provider", (provider != null) ? provider.toString() : "none"));
	}

	private static String dialect(ServerRequestObservationContext context) {
		String path = (context.getCarrier() != null) ? context.getCarrier().getPath().value() : "";
		if (path.startsWith("/openai/")) {
			return "openai";
		}
		if (path.startsWith("/anthropic/")) {
			return "anthropic";
		}
		if (path.startsWith("/v1/")) {
			return "unified";
		}
		return "none";
	}

}
