package dev.ferry.results;

import java.util.List;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The paging operator: takes one page of items from a stream and peeks one more to learn
 * whether more follow, then cancels the stream, so no upstream work is done beyond the
 * page.
 */
public final class Pages {

	private Pages() {
	}

	/**
	 * One page of a stream.
	 * @param <T> the item type
	 * @param items the items, in order
	 * @param limit the page size, at least 1
	 * @return the page; the stream is cancelled once {@code limit + 1} items have been
	 * seen
	 */
	public static <T> Mono<Page<T>> of(Flux<T> items, int limit) {
		if (limit < 1) {
			return Mono.error(new IllegalArgumentException("limit must be at least 1, was " + limit));
		}
		return items.take(limit + 1L).collectList().map((seen) -> {
			boolean hasMore = seen.size() > limit;
			return new Page<>(hasMore ? List.copyOf(seen.subList(0, limit)) : List.copyOf(seen), hasMore);
		});
	}

	/**
	 * A page.
	 *
	 * @param <T> the item type
	 * @param items at most {@code limit} items
	 * @param hasMore whether the stream had more items
	 */
	public record Page<T>(List<T> items, boolean hasMore) {

		/**
		 * The last item, from which the next page's position is taken.
		 * @return the last item, or {@code null} for an empty page
		 */
		public T last() {
			return this.items.isEmpty() ? null : this.items.get(this.items.size() - 1);
		}

	}

}
