package dev.ferry.provider.jobs;

import java.net.URI;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

import dev.ferry.batch.BatchProvider;
import dev.ferry.batch.ProviderDescriptor;
import dev.ferry.batch.ProviderFamily;
import dev.ferry.batch.SyncUpstream;
import dev.ferry.config.ProviderProperties;

/**
 * A family of job-style providers: its descriptor, its public base URL, and its wire;
 * everything else is {@link JobProvider}'s.
 */
public abstract class JobFamily implements ProviderFamily {

	private final ProviderDescriptor descriptor;

	private final URI baseUrl;

	private final @Nullable URI compatibleBaseUrl;

	private final JobProviders providers;

	protected JobFamily(ProviderDescriptor descriptor, URI baseUrl, @Nullable URI compatibleBaseUrl,
			JobProviders providers) {
		this.descriptor = descriptor;
		this.baseUrl = baseUrl;
		this.compatibleBaseUrl = compatibleBaseUrl;
		this.providers = providers;
	}

	@Override
	public final ProviderDescriptor descriptor() {
		return this.descriptor;
	}

	@Override
	public final URI defaultBaseUrl() {
		return this.baseUrl;
	}

	@Override
	public final @Nullable URI compatibleBaseUrl() {
		return this.compatibleBaseUrl;
	}

	@Override
	public final BatchProvider create(String name, ProviderProperties properties) {
		ProviderProperties resolved = resolve(name, properties);
		return this.providers.create(name, resolved, this.descriptor.auth(), tokens(name, resolved),
				(client, mapper) -> wire(name, resolved, client, mapper, this.providers.maxLineBytes()),
				smallBatches(name, resolved));
	}

	/**
	 * The synchronous API that batches below the provider's minimum of requests are run
	 * against, where the family has one and the provider is configured with
	 * {@code small-batches: executed}; by default none, and they are refused.
	 * @param name the provider name
	 * @param properties its settings
	 * @return the API, or {@code null}
	 */
	protected @Nullable SyncUpstream smallBatches(String name, ProviderProperties properties) {
		return null;
	}

	/**
	 * A provider's settings as the family uses them; by default as configured.
	 * @param name the provider name
	 * @param properties its configuration, with its base URL resolved
	 * @return the settings to build the provider from
	 * @throws IllegalStateException when the configuration lacks what the family needs
	 */
	protected ProviderProperties resolve(String name, ProviderProperties properties) {
		return properties;
	}

	/**
	 * Stops start-up when a setting the family needs is missing.
	 * @param name the provider name
	 * @param key the setting, such as {@code role-arn}
	 * @param value its value
	 * @param meaning what it must be set to
	 * @throws IllegalStateException naming the setting when it is missing
	 */
	protected static void require(String name, String key, @Nullable String value, String meaning) {
		if (value == null || value.isBlank()) {
			throw new IllegalStateException("ferry.providers." + name + "." + key + " must be set to " + meaning);
		}
	}

	/**
	 * Access tokens to send instead of a configured key, for families on OAuth.
	 * @param name the provider name
	 * @param properties its settings
	 * @return the current token on each subscription, or {@code null} to send keys
	 */
	protected @Nullable Mono<String> tokens(String name, ProviderProperties properties) {
		return null;
	}

	/**
	 * The family's wire for one provider.
	 * @param name the provider name
	 * @param properties its configuration
	 * @param client its HTTP client
	 * @param mapper the JSON mapper
	 * @param maxLineBytes the longest JSONL line Ferry reads
	 * @return the wire
	 * @throws IllegalStateException when the configuration lacks what the family needs
	 */
	protected abstract JobApi wire(String name, ProviderProperties properties, JobClient client, JsonMapper mapper,
			int maxLineBytes);

}
