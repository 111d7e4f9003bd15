package dev.ferry.batch;

import java.util.List;
import java.util.function.Function;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Pages over a team's own objects, from the newest-first ids of its index: the page
 * starts after the {@code after} id, each id is read from the provider (one that is gone
 * there, or that the page's filter leaves out, is skipped), and one object more than the
 * limit is read to know whether more follow.
 */
final class OwnedPages {

	private OwnedPages() {
	}

	/**
	 * One page.
	 * @param ids the team's native ids, newest first
	 * @param query the limit and the native {@code after} id; {@code order: asc} pages
	 * oldest first
	 * @param read reads an object by its native id; empty to leave it out
	 * @param <T> the objects
	 * @return the page
	 */
	static <T> Mono<Page<T>> page(Flux<String> ids, PageQuery query, Function<String, Mono<T>> read) {
		Flux<String> ordered = "asc".equals(query.order()) ? ids.collectList().flatMapMany((all) -> {
			java.util.Collections.reverse(all);
			return Flux.fromIterable(all);
		}) : ids;
		String after = query.after();
		Flux<String> from = (after == null) ? ordered : ordered.skipUntil(after::equals).skip(1);
		return from
			.concatMap((id) -> read.apply(id)
				.onErrorResume(ApiError.class, (error) -> (error.status() == 404) ? Mono.empty() : Mono.error(error)))
			.take(query.limit() + 1L)
			.collectList()
			.map((found) -> new Page<>(found.subList(0, Math.min(query.limit(), found.size())),
					found.size() > query.limit()));
	}

	/**
	 * A page of objects.
	 *
	 * @param data the objects
	 * @param hasMore whether more follow
	 * @param <T> the objects
	 */
	record Page<T>(List<T> data, boolean hasMore) {

		@Nullable String firstId(Function<T, String> id) {
			return this.data.isEmpty() ? null : id.apply(this.data.get(0));
		}

		@Nullable String lastId(Function<T, String> id) {
			return this.data.isEmpty() ? null : id.apply(this.data.get(this.data.size() - 1));
		}

	}

}
