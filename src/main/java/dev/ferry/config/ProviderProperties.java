package dev.ferry.config;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * One upstream provider, configured under {@code ferry.providers.<name>}.
 *
 * @param type the wire family of the provider
 * @param baseUrl the upstream base URL (required for every type but sandbox)
 * @param apiKey the provider key used for upstream calls
 * @param apiKeys further provider keys, used in turn with {@code apiKey}
 * @param connectTimeout how long to wait for a TCP connection to the upstream
 * @param responseTimeout how long to wait for the upstream's response headers
 * @param maxConnections the size of the upstream connection pool
 * @param pendingAcquireMaxCount how many requests may wait for a pooled connection
 * @param processingTime how long a sandbox batch takes from creation to completion
 * @param apiVersion the API version to send, for providers that version their API
 * ({@code anthropic-version} for anthropic, default {@code 2023-06-01})
 * @param defaultMaxTokens the {@code max_tokens} Ferry sets on translated requests that
 * name none, for providers that require it (anthropic)
 */
public record ProviderProperties(@NotNull ProviderType type, @Nullable URI baseUrl, @Nullable String apiKey,
		@Nullable List<String> apiKeys, @DefaultValue("5s") Duration connectTimeout,
		@DefaultValue("60s") Duration responseTimeout, @DefaultValue("100") @Min(1) @Max(10000) int maxConnections,
		@DefaultValue("1000") @Min(1) int pendingAcquireMaxCount, @DefaultValue("5s") Duration processingTime,
		@Nullable String apiVersion, @DefaultValue("4096") @Min(1) int defaultMaxTokens) {

	/**
	 * The base URL, which every provider type but the sandbox needs.
	 * @param name the provider name, for the error message
	 * @return the base URL
	 * @throws IllegalArgumentException when none is configured
	 */
	public URI requiredBaseUrl(String name) {
		if (this.baseUrl == null) {
			throw new IllegalArgumentException("ferry.providers." + name + ".base-url must be set");
		}
		return this.baseUrl;
	}

	/**
	 * Every non-blank key configured for this provider, {@code api-key} first.
	 * @return the keys, possibly empty
	 */
	public List<String> keys() {
		List<String> keys = new ArrayList<>();
		if (this.apiKey != null && !this.apiKey.isBlank()) {
			keys.add(this.apiKey);
		}
		if (this.apiKeys != null) {
			this.apiKeys.stream().filter((key) -> key != null && !key.isBlank()).forEach(keys::add);
		}
		return List.copyOf(keys);
	}

}
