package dev.ferry.batch;

import java.util.List;
import java.util.function.Function;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Pages over objects Ferry keeps the ids of, newest first, where the provider's own list
 * will not do (a team's index, the jobs Ferry created): the page starts after the
 * {@code after} id, each id is read from the provider (one that is gone there, or that
 * the page's filter leaves out, is skipped), and one object more than the limit is read
 * to know whether more follow.
 */
public final class IdPages {

	private IdPages() {
	}

	/**
	 * One page.
	 * @param ids the native ids, newest first
	 * @param query the limit and the native {@code after} id; {@code order: asc} pages
	 * oldest first
	 * @param read reads an object by its native id; empty to leave it out
	 * @param <T> the objects
	 * @return the page
	 */
	public static <T> Mono<Page<T>> page(Flux<String> ids, PageQuery query, Function<String, Mono<T>> read) {
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
	public record Page<T>(List<T> data, boolean hasMore) {

		/**
		 * The id of the page's first object.
		 * @param id reads an object's id
		 * @return the id, or {@code null} for an empty page
		 */
		public @Nullable String firstId(Function<T, String> id) {
			return this.data.isEmpty() ? null : id.apply(this.data.get(0));
		}

		/**
		 * The id of the page's last object, the next page's {@code after}.
		 * @param id reads an object's id
		 * @return the id, or {@code null} for an empty page
		 */
		public @Nullable String lastId(Function<T, String> id) {
			return this.data.isEmpty() ? null : id.apply(this.data.get(this.data.size() - 1));
		}

	}

}
