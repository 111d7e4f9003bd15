package dev.ferry.batch;

import java.net.URI;

import org.jspecify.annotations.Nullable;

import dev.ferry.config.ProviderProperties;

/**
 * One provider family: what it can do, where its public API lives, and how its adapter is
 * made. A provider named after a family needs only its key
 * ({@code ferry.providers.groq.api-key}); any other name selects a family with
 * {@code type}.
 */
public interface ProviderFamily {

	/**
	 * What every provider of the family can do.
	 * @return the descriptor, whose {@link ProviderDescriptor#family() family} names the
	 * family
	 */
	ProviderDescriptor descriptor();

	/**
	 * The family's public base URL.
	 * @return the URL, or {@code null} when every provider must configure its own (a
	 * self-hosted or per-resource service)
	 */
	default @Nullable URI defaultBaseUrl() {
		return null;
	}

	/**
	 * The family's OpenAI-compatible synchronous API ({@code …/chat/completions} and the
	 * like under it), which Ferry calls when it runs the provider's batches itself
	 * ({@code batch-mode: executed}).
	 * @return the URL, or {@code null} when the family has none Ferry can call with a
	 * bearer key
	 */
	default @Nullable URI compatibleBaseUrl() {
		return null;
	}

	/**
	 * Whether the family calls an upstream, and so needs a base URL.
	 * @return false for in-process providers
	 */
	default boolean callsUpstream() {
		return true;
	}

	/**
	 * A hint for a provider that lacks a base URL.
	 * @return what its base URL looks like
	 */
	default String baseUrlHint() {
		return "the provider's API base URL";
	}

	/**
	 * Creates a provider, once, at start-up.
	 * @param name the configured name
	 * @param properties its configuration, with its base URL resolved
	 * @return the provider
	 */
	BatchProvider create(String name, ProviderProperties properties);

}
