package dev.ferry.provider.openai;

import java.net.URI;
import java.util.function.Function;

import io.micrometer.core.instrument.MeterRegistry;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.json.JsonMapper;

import dev.ferry.batch.BatchProvider;
import dev.ferry.batch.ProviderDescriptor;
import dev.ferry.batch.ProviderFamily;
import dev.ferry.config.ProviderProperties;
import dev.ferry.provider.openai.OpenAiProvider.Setup;
import dev.ferry.upstream.UpstreamClients;

import org.springframework.web.reactive.function.client.WebClient;

/**
 * A family that speaks OpenAI's Files and Batch API: a descriptor, where its public API
 * lives, and the adapter that knows its departures from OpenAI's.
 */
final class OpenAiCompatibleFamily implements ProviderFamily {

	private final ProviderDescriptor descriptor;

	private final @Nullable URI baseUrl;

	private final @Nullable URI compatibleBaseUrl;

	private final String baseUrlHint;

	private final Function<Setup, OpenAiProvider> adapter;

	private final Tools tools;

	OpenAiCompatibleFamily(ProviderDescriptor descriptor, @Nullable String baseUrl, String baseUrlHint,
			Function<Setup, OpenAiProvider> adapter, Tools tools) {
		this(descriptor, baseUrl, baseUrl, baseUrlHint, adapter, tools);
	}

	/**
	 * A family whose synchronous API lives elsewhere than its batch API.
	 */
	OpenAiCompatibleFamily(ProviderDescriptor descriptor, @Nullable String baseUrl, @Nullable String compatibleBaseUrl,
			String baseUrlHint, Function<Setup, OpenAiProvider> adapter, Tools tools) {
		this.descriptor = descriptor;
		this.baseUrl = (baseUrl != null) ? URI.create(baseUrl) : null;
		this.compatibleBaseUrl = (compatibleBaseUrl != null) ? URI.create(compatibleBaseUrl) : null;
		this.baseUrlHint = baseUrlHint;
		this.adapter = adapter;
		this.tools = tools;
	}

	@Override
	public ProviderDescriptor descriptor() {
		return this.descriptor;
	}

	@Override
	public @Nullable URI defaultBaseUrl() {
		return this.baseUrl;
	}

	@Override
	public @Nullable URI compatibleBaseUrl() {
		return this.compatibleBaseUrl;
	}

	@Override
	public String baseUrlHint() {
		return this.baseUrlHint;
	}

	@Override
	public BatchProvider create(String name, ProviderProperties properties) {
		WebClient client = UpstreamClients.create(name, properties, this.tools.builder());
		return this.adapter.apply(new Setup(name, this.descriptor, client, properties, this.tools.mapper(),
				this.tools.maxLineBytes(), this.tools.meters()));
	}

	/**
	 * What every family's adapters are built with.
	 *
	 * @param builder the application's client builder, cloned per provider
	 * @param mapper the JSON mapper
	 * @param maxLineBytes the longest JSONL line Ferry reads
	 */
	record Tools(WebClient.Builder builder, JsonMapper mapper, int maxLineBytes, MeterRegistry meters) {
	}

}
