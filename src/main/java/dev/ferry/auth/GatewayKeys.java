package dev.ferry.auth;

import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

import dev.ferry.batch.ApiError;
import dev.ferry.batch.Sha256;
import dev.ferry.config.FerryProperties.GatewayKey;

/**
 * The configured gateway keys, kept only as SHA-256 digests. A presented credential that
 * starts with {@link #PREFIX} is a gateway key and must be a configured one; anything
 * else is the caller's own provider credential.
 */
public final class GatewayKeys {

	/**
	 * Every gateway key starts with this, so a mistyped one is told from a provider key.
	 */
	public static final String PREFIX = "ferry-";

	private final Map<String, Gateway> byDigest = new HashMap<>();

	/**
	 * The keys from configuration.
	 * @param keys the configured keys
	 * @throws IllegalArgumentException for a key without a value, with both a value and a
	 * digest, without the prefix, or with a digest that is not 64 hex digits
	 */
	public GatewayKeys(List<GatewayKey> keys) {
		for (GatewayKey key : keys) {
			String digest = digestOf(key);
			this.byDigest.put(digest,
					new Gateway(key.name(), Set.copyOf(key.providers()), key.teamName(), key.admin()));
		}
	}

	/**
	 * The teams the configured keys belong to.
	 * @return the team names
	 */
	public Set<String> teams() {
		return this.byDigest.values().stream().map(Gateway::team).collect(Collectors.toUnmodifiableSet());
	}

	/**
	 * Whether any key is configured.
	 * @return false when callers can only bring their own provider keys
	 */
	public boolean any() {
		return !this.byDigest.isEmpty();
	}

	/**
	 * Authenticates a presented credential.
	 * @param presented the credential, without any {@code Bearer } prefix
	 * @return the gateway caller, or empty for a credential that is not a gateway key
	 * @throws ApiError 401 for a gateway key that is not configured
	 */
	public Optional<Gateway> authenticate(String presented) {
		if (!presented.startsWith(PREFIX)) {
			return Optional.empty();
		}
		Gateway gateway = this.byDigest.get(Sha256.hex(presented));
		if (gateway == null) {
			throw new ApiError(401, "authentication_error", "invalid_gateway_key",
					"the gateway key presented is not one of this Ferry's keys (keys starting with '" + PREFIX
							+ "' are gateway keys; send a configured one, or your own provider key)",
					null, null);
		}
		return Optional.of(gateway);
	}

	private static String digestOf(GatewayKey key) {
		if ((key.key() == null) == (key.keySha256() == null)) {
			throw new IllegalArgumentException(
					"ferry.auth.keys[" + key.name() + "]: set exactly one of key, key-sha256");
		}
		if (key.key() != null) {
			if (!key.key().startsWith(PREFIX) || key.key().length() < PREFIX.length() + 16) {
				throw new IllegalArgumentException("ferry.auth.keys[" + key.name() + "].key: must start with '" + PREFIX
						+ "' followed by at least 16 characters");
			}
			return Sha256.hex(key.key());
		}
		String digest = key.keySha256().toLowerCase(Locale.ROOT);
		if (!digest.matches("[0-9a-f]{64}")) {
			throw new IllegalArgumentException(
					"ferry.auth.keys[" + key.name() + "].key-sha256: expected 64 hex digits (sha256sum of the key)");
		}
		return digest;
	}

	/**
	 * A caller authenticated with a gateway key.
	 *
	 * @param name the key's name
	 * @param providers the providers it may use; all when empty
	 * @param team the team whose batches and files it sees
	 * @param admin whether it sees every team's
	 */
	public record Gateway(String name, Set<String> providers, String team, boolean admin) {

		/**
		 * Whether the key may use a provider.
		 * @param provider the provider name
		 * @return true when allowed
		 */
		public boolean allows(String provider) {
			return this.providers.isEmpty() || this.providers.contains(provider);
		}

	}

}
