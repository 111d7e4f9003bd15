package dev.ferry.upstream;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Supplier;

import reactor.core.publisher.Mono;
import reactor.util.context.ContextView;

/**
 * Single flight: while a call for a key is under way, everyone asking for that key joins
 * it instead of starting another. A call runs detached from the callers, with the context
 * of the one that started it, so one caller going away never cancels the call the others
 * wait on, and it runs to its end.
 *
 * @param <K> the key
 * @param <V> the answer
 */
public final class SharedCalls<K, V> {

	private final Map<K, Call<V>> calls = new ConcurrentHashMap<>();

	/**
	 * Joins the call under way for a key, or starts one.
	 * @param key the key
	 * @param request what the caller asks for, which a joined call may not match
	 * @param start the call, subscribed only when none is under way
	 * @param context the caller's context, which a call it starts runs with
	 * @return the call joined or started
	 */
	public Joined<V> join(K key, Object request, Supplier<Mono<V>> start, ContextView context) {
		return join(key, request, start, context, (answer) -> {
		});
	}

	/**
	 * Joins the call under way for a key, or starts one, settling its answer first.
	 * @param key the key
	 * @param request what the caller asks for, kept with a call it starts so that later
	 * callers can tell whether they ask the same
	 * @param start the call, subscribed only when none is under way
	 * @param context the caller's context, which a call it starts runs with
	 * @param settle run with the answer before the call stops being joinable, so that
	 * nobody asking in between starts a second call
	 * @return the call joined or started
	 */
	public Joined<V> join(K key, Object request, Supplier<Mono<V>> start, ContextView context, Consumer<V> settle) {
		Call<V> ours = new Call<>(request, new CompletableFuture<>());
		Call<V> call = this.calls.putIfAbsent(key, ours);
		if (call != null) {
			return new Joined<>(call.request(), Mono.fromFuture(call.answer(), true), true);
		}
		start.get()
			.switchIfEmpty(Mono.error(() -> new IllegalStateException("the call for " + key + " answered nothing")))
			.contextWrite(context)
			.subscribe((answer) -> {
				settle.accept(answer);
				this.calls.remove(key, ours);
				ours.answer().complete(answer);
			}, (failure) -> {
				this.calls.remove(key, ours);
				ours.answer().completeExceptionally(failure);
			});
		return new Joined<>(request, Mono.fromFuture(ours.answer(), true), false);
	}

	private record Call<V>(Object request, CompletableFuture<V> answer) {
	}

	/**
	 * A call, as one caller sees it.
	 *
	 * @param request what the call was started for
	 * @param answer its answer; cancelling it leaves the call running
	 * @param joined whether another caller started it
	 */
	public record Joined<V>(Object request, Mono<V> answer, boolean joined) {
	}

}
