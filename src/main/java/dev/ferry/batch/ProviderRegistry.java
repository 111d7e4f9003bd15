package dev.ferry.batch;

import java.util.TreeSet;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

import org.jspecify.annotations.Nullable;

import dev.ferry.config.FerryProperties;
import dev.ferry.config.ProviderType;

import org.springframework.stereotype.Component;

/**
 * Every configured provider, by name, created once at start-up.
 */
@Component
public class ProviderRegistry {

	private final Map<String, BatchProvider> providers;

	private final @Nullable String defaultProvider;

	private final Set<String> keyed;

	public ProviderRegistry(FerryProperties properties, List<ProviderFactory> factories) {
		Map<ProviderType, ProviderFactory> byType = factories.stream()
			.collect(Collectors.toMap(ProviderFactory::type, Function.identity()));
		Map<String, BatchProvider> created = new LinkedHashMap<>();
		properties.providers().forEach((name, provider) -> {
			ProviderFactory factory = byType.get(provider.type());
			if (factory == null) {
				throw new IllegalStateException("ferry.providers." + name + ".type: " + provider.type()
						+ " has no adapter (available: " + byType.keySet() + ")");
			}
			created.put(name, factory.create(name, provider));
		});
		this.providers = Map.copyOf(created);
		this.keyed = properties.providers()
			.entrySet()
			.stream()
			.filter((entry) -> !entry.getValue().keys().isEmpty())
			.map(Map.Entry::getKey)
			.collect(Collectors.toUnmodifiableSet());
		this.defaultProvider = chooseDefault(properties);
	}

	/**
	 * The configured default, or {@code openai} when it has a key, or {@code sandbox}: a
	 * newcomer without keys lands on the sandbox instead of on a 401 from upstream.
	 */
	private @Nullable String chooseDefault(FerryProperties properties) {
		String configured = properties.defaultProvider();
		if (configured != null && !configured.isBlank()) {
			if (!this.providers.containsKey(configured)) {
				throw new IllegalStateException("ferry.default-provider: '" + configured
						+ "' is not configured (configured: " + String.join(", ", names()) + ")");
			}
			return configured;
		}
		return dialectDefault("openai");
	}

	/**
	 * A dialect's default provider: its own provider when that has a key configured, else
	 * the sandbox, so that a newcomer without keys is not sent upstream with a dummy key.
	 * @param preferred the dialect's own provider, such as {@code anthropic}
	 * @return the provider name
	 */
	public String dialectDefault(String preferred) {
		if (this.keyed.contains(preferred) || !this.providers.containsKey("sandbox")) {
			return preferred;
		}
		return "sandbox";
	}

	/**
	 * The provider the OpenAI dialect uses when a request names none.
	 * @return the provider name, or {@code null} when there is no sensible default
	 */
	public @Nullable String defaultProvider() {
		return this.defaultProvider;
	}

	/**
	 * The provider with a name.
	 * @param name the configured name
	 * @return the provider
	 * @throws ApiError 400 naming the configured providers if there is none by that name
	 */
	public BatchProvider get(String name) {
		BatchProvider provider = find(name);
		if (provider == null) {
			throw ApiError.invalid("provider",
					"provider: '" + name + "' is not configured (configured: " + String.join(", ", names()) + ")");
		}
		return provider;
	}

	public @Nullable BatchProvider find(String name) {
		return this.providers.get(name);
	}

	public Set<String> names() {
		return new TreeSet<>(this.providers.keySet());
	}

	public Collection<BatchProvider> all() {
		return this.providers.values();
	}

}
