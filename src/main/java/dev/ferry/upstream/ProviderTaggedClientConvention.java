package dev.ferry.upstream;

import io.micrometer.common.KeyValue;
import io.micrometer.common.KeyValues;

import org.springframework.web.reactive.function.client.ClientRequestObservationContext;
import org.springframework.web.reactive.function.client.DefaultClientRequestObservationConvention;

/**
 * Tags a provider's upstream calls ({@code http.client.requests}) with the provider name,
 * so latency and errors read per provider rather than per host.
 */
final class ProviderTaggedClientConvention extends DefaultClientRequestObservationConvention {

	private final KeyValue provider;

	ProviderTaggedClientConvention(String provider) {
		this.provider = KeyValue.of("provider", provider);
	}

	@Override
	public KeyValues getLowCardinalityKeyValues(ClientRequestObservationContext context) {
		return super.getLowCardinalityKeyValues(context).and(this.provider);
	}

}
