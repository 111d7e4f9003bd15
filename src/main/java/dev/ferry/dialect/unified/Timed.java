package dev.ferry.dialect.unified;

import reactor.core.publisher.Mono;

/**
 * A provider answer with the milliseconds it took, for {@code extra_fields.latency}.
 *
 * @param <T> the answer type
 * @param value the answer
 * @param latency the milliseconds from subscription to answer
 */
record Timed<T>(T value, long latency) {

	static <T> Mono<Timed<T>> of(Mono<T> call) {
		return Mono.defer(() -> {
			long start = System.nanoTime();
			return call.map((value) -> new Timed<>(value, (System.nanoTime() - start) / 1_000_000));
		});
	}

}
