package dev.ferry.auth;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import org.jspecify.annotations.Nullable;

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

}
