package dev.ferry.web;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import reactor.core.publisher.Mono;
import reactor.util.context.ContextView;

import org.springframework.web.reactive.function.server.HandlerFilterFunction;
import org.springframework.web.reactive.function.server.ServerResponse;

/**
 * The caller's credentials and provider headers, carried in the Reactor context to the
 * provider adapter: a provider without a configured key uses the caller's own, and
 * provider options such as {@code anthropic-beta} pass through.
 *
 * @param values the captured headers by lower-case name
 */
public record CallerHeaders(Map<String, String> values) {

	/** The headers captured from callers; nothing else reaches a provider. */
	public static final List<String> CAPTURED = List.of("authorization", "x-api-key", "anthropic-beta",
			"anthropic-version");

	private static final Class<CallerHeaders> KEY = CallerHeaders.class;

	private static final CallerHeaders NONE = new CallerHeaders(Map.of());

	/**
	 * A filter that captures the caller's headers into the Reactor context.
	 * @return the filter
	 */
	public static HandlerFilterFunction<ServerResponse, ServerResponse> capture() {
		return (request, next) -> {
			Map<String, String> values = new TreeMap<>();
			for (String name : CAPTURED) {
				String value = request.headers().firstHeader(name);
				if (value != null) {
					values.put(name, value);
				}
			}
			CallerHeaders headers = new CallerHeaders(Map.copyOf(values));
			return next.handle(request).contextWrite((context) -> context.put(KEY, headers));
		};
	}

	/**
	 * The caller's headers from a Reactor context.
	 * @param context the context
	 * @return the headers, empty when none were captured
	 */
	public static CallerHeaders from(ContextView context) {
		return context.getOrDefault(KEY, NONE);
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

}
