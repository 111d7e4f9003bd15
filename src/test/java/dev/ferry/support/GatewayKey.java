package dev.ferry.support;

import java.util.Arrays;
import java.util.stream.Stream;

import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * The gateway key test Ferrys are configured with: callers presenting it spend the
 * provider keys from configuration.
 */
public final class GatewayKey {

	/** The key; any other credential is the caller's own. */
	public static final String KEY = "ferry-test-gateway-key-0001";

	/** The key as an {@code Authorization} header value. */
	public static final String BEARER = "Bearer " + KEY;

	private GatewayKey() {
	}

	public static void register(DynamicPropertyRegistry registry) {
		registry.add("ferry.auth.keys[0].name", () -> "tests");
		registry.add("ferry.auth.keys[0].key", () -> KEY);
	}

	/**
	 * Command-line arguments for a Ferry with this key.
	 * @param others the other arguments
	 * @return the others, then the gateway key's configuration
	 */
	public static String[] arguments(String... others) {
		return Stream
			.concat(Arrays.stream(others),
					Stream.of("--ferry.auth.keys[0].name=tests", "--ferry.auth.keys[0].key=" + KEY))
			.toArray(String[]::new);
	}

	/**
	 * A test client that presents the key on every request.
	 * @param web the test's client
	 * @return a client sending the key
	 */
	public static WebTestClient presentedBy(WebTestClient web) {
		return web.mutate().defaultHeader("Authorization", BEARER).build();
	}

}
