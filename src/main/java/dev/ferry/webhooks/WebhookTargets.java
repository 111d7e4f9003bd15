package dev.ferry.webhooks;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;

import org.jspecify.annotations.Nullable;

import dev.ferry.config.FerryProperties;
import dev.ferry.config.FerryProperties.Endpoint;

/**
 * Checks the configured endpoints at start-up: an http(s) URL, a secret in the Standard
 * Webhooks form, and, unless {@code allow-private-targets} is set, a host that resolves
 * to public addresses only, so that Ferry cannot be pointed at its own network.
 */
final class WebhookTargets {

	private static final org.apache.commons.logging.Log logger = org.apache.commons.logging.LogFactory
		.getLog(WebhookTargets.class);

	private WebhookTargets() {
	}

	/**
	 * The endpoints, checked.
	 * @param webhooks the configuration
	 * @return the endpoints with their keys
	 * @throws IllegalStateException naming the endpoint and what is wrong with it
	 */
	static List<Target> check(FerryProperties.Webhooks webhooks) {
		List<Endpoint> endpoints = webhooks.endpoints();
		return java.util.stream.IntStream.range(0, endpoints.size()).mapToObj((index) -> {
			Endpoint endpoint = endpoints.get(index);
			String where = "ferry.webhooks.endpoints[" + index + "]";
			String scheme = endpoint.url().getScheme();
			if (!"https".equals(scheme) && !"http".equals(scheme) || endpoint.url().getHost() == null) {
				throw new IllegalStateException(where + ".url: '" + endpoint.url() + "' (expected an http(s) URL)");
			}
			byte[] key;
			try {
				key = Signatures.key(endpoint.secret());
			}
			catch (IllegalArgumentException ex) {
				throw new IllegalStateException(where + ".secret: " + ex.getMessage());
			}
			if (!webhooks.allowPrivateTargets()) {
				refusePrivate(where, endpoint);
			}
			return new Target(index, endpoint, key);
		}).toList();
	}

	private static void refusePrivate(String where, Endpoint endpoint) {
		try {
			String address = privateAddress(endpoint.url().getHost());
			if (address != null) {
				throw new IllegalStateException(where + ".url: '" + endpoint.url() + "' resolves to " + address
						+ ", a loopback, link-local or private address; webhooks go to public addresses unless "
						+ "ferry.webhooks.allow-private-targets=true");
			}
		}
		catch (UnknownHostException ex) {
			// The name may resolve later (DNS not ready at start-up); every delivery
			// checks
			// it again.
			logger.warn(where + ".url: host '" + endpoint.url().getHost()
					+ "' does not resolve now; it is checked again before each delivery");
		}
	}

	/**
	 * The first loopback, link-local or private address a host resolves to. This blocks
	 * on DNS: callers run it at start-up or on a bounded scheduler.
	 * @param host the host
	 * @return the address, or {@code null} when every address is public
	 * @throws UnknownHostException when the host does not resolve
	 */
	static @Nullable String privateAddress(String host) throws UnknownHostException {
		for (InetAddress address : InetAddress.getAllByName(host)) {
			if (isPrivate(address)) {
				return address.getHostAddress();
			}
		}
		return null;
	}

	static boolean isPrivate(InetAddress address) {
		if (address.isLoopbackAddress() || address.isLinkLocalAddress() || address.isSiteLocalAddress()
				|| address.isAnyLocalAddress() || address.isMulticastAddress()) {
			return true;
		}
		byte[] bytes = address.getAddress();
		if (address instanceof Inet6Address) {
			// Unique local addresses, fc00::/7.
			return (bytes[0] & 0xfe) == 0xfc;
		}
		// Carrier-grade NAT, 100.64.0.0/10.
		return (bytes[0] & 0xff) == 100 && (bytes[1] & 0xc0) == 64;
	}

	/**
	 * A checked endpoint.
	 *
	 * @param index its place in the configuration
	 * @param endpoint its configuration
	 * @param key its secret's bytes
	 */
	record Target(int index, Endpoint endpoint, byte[] key) {

		boolean hears(String team) {
			return this.endpoint.teams().isEmpty() || this.endpoint.teams().contains(team);
		}

	}

}
