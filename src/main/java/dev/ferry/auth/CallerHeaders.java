package dev.ferry.auth;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import reactor.util.context.Context;
import reactor.util.context.ContextView;

import dev.ferry.auth.GatewayKeys.Gateway;
import dev.ferry.batch.ApiError;
import dev.ferry.batch.Sha256;

import org.springframework.web.reactive.function.server.HandlerFilterFunction;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import org.springframework.web.server.WebFilter;

/**
 * Who is calling, carried in the Reactor context to the provider adapter: a caller with a
 * gateway key spends the provider keys from configuration; any other caller's own
 * credentials are forwarded instead, and provider options such as {@code anthropic-beta}
 * pass through.
 *
 * @param values the captured headers by lower-case name; never a gateway key
 * @param gateway the gateway key the caller presented, if it presented one
 */
public record CallerHeaders(Map<String, String> values, @Nullable Gateway gateway) {

	private static final String SLOT_ATTRIBUTE = "ferry.caller-slot";

	/** The headers that may carry a credential: OpenAI's, Anthropic's, Azure's. */
	public static final List<String> CREDENTIALS = List.of("authorization", "x-api-key", "api-key");

	/**
	 * The headers captured from callers; nothing else reaches a provider, and of these
	 * only credentials and Anthropic's options are forwarded.
	 */
	public static final List<String> CAPTURED = List.of("authorization", "x-api-key", "api-key", "anthropic-beta",
			"anthropic-version", "idempotency-key");

	private static final CallerHeaders NONE = new CallerHeaders(Map.of(), null);

	/**
	 * A filter that authenticates gateway keys and captures the caller's headers for the
	 * rest of the exchange, in the slot {@link #streamedBodies()} put there.
	 * @param keys the configured gateway keys
	 * @return the filter; it fails with a 401 for an unknown gateway key
	 */
	public static HandlerFilterFunction<ServerResponse, ServerResponse> capture(GatewayKeys keys) {
		return (request, next) -> {
			Map<String, String> values = new TreeMap<>();
			for (String name : CAPTURED) {
				String value = request.headers().firstHeader(name);
				if (value != null) {
					values.put(name, value);
				}
			}
			Gateway gateway = null;
			for (String name : CREDENTIALS) {
				String presented = values.get(name);
				if (presented != null) {
					gateway = keys.authenticate(stripBearer(presented)).orElse(gateway);
				}
			}
			if (gateway != null) {
				// A gateway key is Ferry's own: it never travels upstream.
				CREDENTIALS.forEach(values::remove);
			}
			slot(request).headers = new CallerHeaders(Map.copyOf(values), gateway);
			return next.handle(request);
		};
	}

	/**
	 * The caller's headers from a Reactor context.
	 * @param context the context
	 * @return the headers, empty when none were captured
	 */
	public static CallerHeaders from(ContextView context) {
		Slot slot = context.getOrDefault(Slot.class, null);
		return (slot != null && slot.headers != null) ? slot.headers : NONE;
	}

	/**
	 * The context of work Ferry does on its own account, outside any request (watching
	 * batches for their webhooks, reading results for usage): it calls providers with
	 * their configured keys, as for a gateway key that sees every team's batches.
	 * @return the context to write
	 */
	public static Context ferryItself() {
		Slot slot = new Slot();
		slot.headers = new CallerHeaders(Map.of(), new Gateway("ferry", Set.of(), "ferry", true));
		return Context.of(Slot.class, slot);
	}

	/**
	 * The caller's headers of a request that went through {@link #capture}.
	 * @param request the request
	 * @return the headers
	 */
	public static CallerHeaders of(ServerRequest request) {
		CallerHeaders headers = slot(request).headers;
		return (headers != null) ? headers : NONE;
	}

	/**
	 * A filter around the whole exchange that carries the caller's headers in the Reactor
	 * context, so that they reach streamed response bodies too: those are subscribed when
	 * the response is written, outside the handler. {@link #capture} fills it in.
	 * @return the web filter
	 */
	public static WebFilter streamedBodies() {
		return (exchange, chain) -> {
			Slot slot = new Slot();
			exchange.getAttributes().put(SLOT_ATTRIBUTE, slot);
			return chain.filter(exchange).contextWrite((context) -> context.put(Slot.class, slot));
		};
	}

	/**
	 * The caller's headers, read from the current context.
	 * @return the headers
	 */
	public static Mono<CallerHeaders> current() {
		return Mono.deferContextual((context) -> Mono.just(from(context)));
	}

	/**
	 * One captured header.
	 * @param name the lower-case header name
	 * @return the value, if the caller sent it
	 */
	public Optional<String> get(String name) {
		return Optional.ofNullable(this.values.get(name));
	}

	/**
	 * Who the caller is, for scoping what is theirs: the name of their gateway key, a
	 * hash of their own provider key, or {@code anonymous}.
	 * @return the principal; never a key
	 */
	public String principal() {
		if (this.gateway != null) {
			return "gateway:" + this.gateway.name();
		}
		return ownKey().map((key) -> "key:" + Sha256.hex(key)).orElse("anonymous");
	}

	/**
	 * The {@code Idempotency-Key} the caller sent, which lets a create be retried.
	 * @return the key, if sent
	 */
	public Optional<String> idempotencyKey() {
		return get("idempotency-key");
	}

	/**
	 * The caller's own provider key, from whichever credential header carried it.
	 * @return the key without any {@code Bearer } prefix, if the caller sent one
	 */
	public Optional<String> ownKey() {
		return CREDENTIALS.stream()
			.map(this::get)
			.flatMap(Optional::stream)
			.map(CallerHeaders::stripBearer)
			.findFirst();
	}

	/**
	 * The 401 for a call that would reach a paid upstream with no credentials at all.
	 * @param provider the provider
	 * @return the error
	 */
	public static ApiError missingCredentials(String provider) {
		return new ApiError(401, "authentication_error", "missing_credentials",
				"provider '" + provider
						+ "' needs credentials: send a Ferry gateway key, or your own provider key, as 'Authorization: "
						+ "Bearer …', 'x-api-key' or 'api-key'",
				null, provider);
	}

	private static Slot slot(ServerRequest request) {
		if (request.attributes().get(SLOT_ATTRIBUTE) instanceof Slot slot) {
			return slot;
		}
		throw new IllegalStateException("the CallerHeaders.streamedBodies() web filter is not installed");
	}

	private static String stripBearer(String value) {
		return value.regionMatches(true, 0, "Bearer ", 0, 7) ? value.substring(7).trim() : value.trim();
	}

	/** Where the route filter leaves the caller's headers for the whole exchange. */
	private static final class Slot {

		volatile @Nullable CallerHeaders headers;

	}

}
