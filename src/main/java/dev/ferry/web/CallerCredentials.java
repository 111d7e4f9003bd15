package dev.ferry.web;

import java.util.Optional;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import reactor.util.context.ContextView;

import org.springframework.http.HttpHeaders;
import org.springframework.web.reactive.function.server.HandlerFilterFunction;
import org.springframework.web.reactive.function.server.ServerResponse;

/**
 * The credentials a caller sent, carried in the Reactor context to the provider adapter
 * so that a provider without a configured key can use the caller's own.
 *
 * @param authorization the caller's {@code Authorization} header, if any
 */
public record CallerCredentials(@Nullable String authorization) {

	private static final Class<CallerCredentials> KEY = CallerCredentials.class;

	/**
	 * A filter that captures the caller's credentials into the Reactor context.
	 * @return the filter
	 */
	public static HandlerFilterFunction<ServerResponse, ServerResponse> capture() {
		return (request, next) -> {
			CallerCredentials credentials = new CallerCredentials(
					request.headers().firstHeader(HttpHeaders.AUTHORIZATION));
			return next.handle(request).contextWrite((context) -> context.put(KEY, credentials));
		};
	}

	/**
	 * The caller's credentials from a Reactor context.
	 * @param context the context
	 * @return the caller's {@code Authorization} header, if one was captured
	 */
	public static Optional<String> authorization(ContextView context) {
		return context.getOrEmpty(KEY).map((credentials) -> ((CallerCredentials) credentials).authorization());
	}

	/**
	 * The caller's {@code Authorization} header, read from the current context.
	 * @return the header, or empty
	 */
	public static Mono<Optional<String>> current() {
		return Mono.deferContextual((context) -> Mono.just(authorization(context)));
	}

}
