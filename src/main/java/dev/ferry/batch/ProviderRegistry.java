package dev.ferry.batch;

import java.net.URI;
import java.util.TreeSet;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

import org.jspecify.annotations.Nullable;

import dev.ferry.config.FerryProperties;
import dev.ferry.config.ProviderProperties;

import org.springframework.stereotype.Component;

/**
 * Every configured provider, by name, created once at start-up.
 */
@Component
public class ProviderRegistry {

	private final Map<String, BatchProvider> providers;

	private final Map<String, URI> baseUrls;

	private final @Nullable String defaultProvider;

	private final Set<String> keyed;

	/** The warm-up's provider while it runs. */
	private volatile @Nullable BatchProvider warmingUp;

	public ProviderRegistry(FerryProperties properties, List<ProviderFamily> families, ExecutedMode executedMode) {
		Map<String, ProviderFamily> byName = families.stream()
			.collect(Collectors.toMap((family) -> family.descriptor().family(), Function.identity()));
		Map<String, BatchProvider> created = new LinkedHashMap<>();
		Map<String, URI> baseUrls = new LinkedHashMap<>();
		properties.providers().forEach((name, provider) -> {
			ProviderFamily family = familyOf(name, provider, byName);
			boolean executed = provider.executedMode() && family.descriptor().nativeBatches();
			ProviderProperties resolved = executed ? withCompatibleBaseUrl(name, provider, family, byName)
					: withBaseUrl(name, provider, family);
			created.put(name, executed ? executedMode.create(name, family.descriptor().family(), resolved)
					: family.create(name, resolved));
			if (resolved.baseUrl() != null) {
				baseUrls.put(name, resolved.baseUrl());
			}
		});
		this.providers = Map.copyOf(created);
		this.baseUrls = Map.copyOf(baseUrls);
		this.keyed = properties.providers()
			.entrySet()
			.stream()
			.filter((entry) -> !entry.getValue().keys().isEmpty())
			.map(Map.Entry::getKey)
			.collect(Collectors.toUnmodifiableSet());
		this.defaultProvider = chooseDefault(properties);
	}

	/**
	 * The family a provider belongs to: the one its {@code type} names, else the one
	 * named like the provider.
	 */
	private static ProviderFamily familyOf(String name, ProviderProperties provider,
			Map<String, ProviderFamily> families) {
		String wanted = (provider.type() != null && !provider.type().isBlank()) ? provider.type().trim() : name;
		ProviderFamily family = families.get(wanted);
		if (family == null) {
			String where = (provider.type() != null) ? "ferry.providers." + name + ".type: '" + wanted + "'"
					: "ferry.providers." + name + ": '" + name + "' is no provider family and no type is set";
			throw new IllegalStateException(where + " (families: " + String.join(", ", new TreeSet<>(families.keySet()))
					+ "; name one with ferry.providers." + name + ".type)");
		}
		return family;
	}

	/** The configured base URL, else the family's public one. */
	private static ProviderProperties withBaseUrl(String name, ProviderProperties provider, ProviderFamily family) {
		if (!family.callsUpstream() || provider.baseUrl() != null) {
			return provider;
		}
		if (family.defaultBaseUrl() == null) {
			throw new IllegalStateException(
					"ferry.providers." + name + ".base-url must be set: family '" + family.descriptor().family()
							+ "' has no public base URL (expected: " + family.baseUrlHint() + ")");
		}
		return provider.withBaseUrl(family.defaultBaseUrl());
	}

	/**
	 * For {@code batch-mode: executed}: the configured base URL, else the family's
	 * OpenAI-compatible synchronous API.
	 */
	private static ProviderProperties withCompatibleBaseUrl(String name, ProviderProperties provider,
			ProviderFamily family, Map<String, ProviderFamily> families) {
		if (family.compatibleBaseUrl() == null) {
			List<String> able = families.values()
				.stream()
				.filter((other) -> other.compatibleBaseUrl() != null)
				.map((other) -> other.descriptor().family())
				.sorted()
				.toList();
			throw new IllegalStateException("ferry.providers." + name + ".batch-mode: family '"
					+ family.descriptor().family()
					+ "' has no synchronous API Ferry can run its batches against (families that can be switched to "
					+ "executed: " + String.join(", ", able) + ")");
		}
		return (provider.baseUrl() != null) ? provider : provider.withBaseUrl(family.compatibleBaseUrl());
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

	/**
	 * The provider a native id belongs to, by a prefix only its family mints: the
	 * provider named after the family, else the family's only provider.
	 * @param id a native id
	 * @return the provider name, or empty when the id's prefix tells nothing
	 */
	public Optional<String> byNativeId(String id) {
		List<BatchProvider> candidates = this.providers.values()
			.stream()
			.filter((provider) -> provider.descriptor().nativeIdPrefixes().stream().anyMatch(id::startsWith))
			.toList();
		return candidates.stream()
			.filter((provider) -> provider.name().equals(provider.descriptor().family()))
			.findFirst()
			.or(() -> (candidates.size() == 1) ? Optional.of(candidates.get(0)) : Optional.empty())
			.map(BatchProvider::name);
	}

	/**
	 * Where a provider's upstream lives.
	 * @param name the provider name
	 * @return its base URL, or {@code null} for an in-process provider
	 */
	public @Nullable URI baseUrl(String name) {
		return this.baseUrls.get(name);
	}

	/**
	 * Whether a provider has a key of its own configured.
	 * @param name the provider name
	 * @return true when Ferry can spend a key on it for gateway callers
	 */
	public boolean keyed(String name) {
		return this.keyed.contains(name);
	}

	public @Nullable BatchProvider find(String name) {
		BatchProvider provider = this.providers.get(name);
		BatchProvider warming = this.warmingUp;
		return (provider == null && warming != null && warming.name().equals(name)) ? warming : provider;
	}

	/**
	 * Makes a provider reachable by name, though never listed, until the returned handle
	 * is closed: the warm-up's provider on its loopback replica, which the warm-up's
	 * requests to Ferry's own port name.
	 * @param provider the provider
	 * @return closes the provider's window
	 */
	public AutoCloseable warmingUp(BatchProvider provider) {
		this.warmingUp = provider;
		return () -> this.warmingUp = null;
	}

	public Set<String> names() {
		return new TreeSet<>(this.providers.keySet());
	}

	public Collection<BatchProvider> all() {
		return this.providers.values();
	}

}
