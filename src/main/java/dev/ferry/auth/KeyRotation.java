package dev.ferry.auth;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

import org.springframework.http.HttpHeaders;

/**
 * Hands out a provider's configured keys in turn, spreading load over them.
 */
public final class KeyRotation {

	private final List<String> keys;

	private final AtomicInteger next = new AtomicInteger();

	public KeyRotation(List<String> keys) {
		this.keys = List.copyOf(keys);
	}

	/**
	 * The next key.
	 * @return a key, or {@code null} when none is configured
	 */
	public @Nullable String next() {
		if (this.keys.isEmpty()) {
			return null;
		}
		return this.keys.get(Math.floorMod(this.next.getAndIncrement(), this.keys.size()));
	}

	/**
	 * The upstream credentials of the current call: for a caller with a gateway key, the
	 * configured keys in turn; for anyone else, their own key, never the configured ones.
	 * @param provider the provider name, for the error when a caller has no credentials
	 * @param configured sets a configured key on a request
	 * @param own sets a caller's own key on a request
	 * @return what to apply to the request's headers
	 */
	public Mono<Consumer<HttpHeaders>> credentials(String provider, BiConsumer<HttpHeaders, String> configured,
			OwnCredentials own) {
		return CallerHeaders.current().flatMap((caller) -> {
			if (caller.gateway() != null) {
				String key = next();
				return Mono.just((headers) -> {
					if (key != null) {
						configured.accept(headers, key);
					}
				});
			}
			return caller.ownKey()
				.<Mono<Consumer<HttpHeaders>>>map((key) -> Mono.just((headers) -> own.apply(headers, caller, key)))
				.orElseGet(() -> Mono.error(CallerHeaders.missingCredentials(provider)));
		});
	}

	/** Sets a caller's own credential on an upstream request. */
	@FunctionalInterface
	public interface OwnCredentials {

		/**
		 * Sets the credential.
		 * @param headers the request headers
		 * @param caller the caller
		 * @param key the caller's credential, without any {@code Bearer } prefix
		 */
		void apply(HttpHeaders headers, CallerHeaders caller, String key);

	}

}
