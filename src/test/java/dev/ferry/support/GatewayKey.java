package dev.ferry.support;

import org.springframework.test.context.DynamicPropertyRegistry;

/**
 * The gateway key test Ferrys are configured with: callers presenting it spend the
 * provider keys from configuration.
 */
public final class GatewayKey {

	/** The key; any other credential is the caller's own. */
	public static final String KEY = "ferry-test-gateway-key-0001";

	private GatewayKey() {
	}

	public static void register(DynamicPropertyRegistry registry) {
		registry.add("ferry.auth.keys[0].name", () -> "tests");
		registry.add("ferry.auth.keys[0].key", () -> KEY);
	}

	/**
	 * The same configuration as command-line arguments.
	 * @return the arguments
	 */
	public static String[] arguments() {
		return new String[] { "--ferry.auth.keys[0].name=tests", "--ferry.auth.keys[0].key=" + KEY };
	}

}
