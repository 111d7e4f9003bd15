package dev.ferry.provider.sandbox;

import java.util.List;
import java.util.function.Function;

import dev.ferry.batch.PageQuery;

/**
 * Cursor paging over the sandbox's in-memory lists, by the id after which a page starts.
 */
final class SandboxPages {

	private SandboxPages() {
	}

	/**
	 * A page of items and whether more follow.
	 *
	 * @param <T> the item type
	 * @param items at most {@code limit} items
	 * @param hasMore whether more follow
	 */
	record Page<T>(List<T> items, boolean hasMore) {
	}

	/**
	 * The page after {@code query.after()}.
	 * @param <T> the item type
	 * @param sorted the items in list order
	 * @param query the query
	 * @param id an item's id
	 * @return up to {@code limit} items
	 */
	static <T> Page<T> after(List<T> sorted, PageQuery query, Function<T, String> id) {
		int start = 0;
		if (query.after() != null) {
			// An unknown cursor gives an empty page rather than the first page again, so
			// a
			// paginating client cannot loop.
			start = sorted.size();
			for (int i = 0; i < sorted.size(); i++) {
				if (id.apply(sorted.get(i)).equals(query.after())) {
					start = i + 1;
					break;
				}
			}
		}
		int end = Math.min(sorted.size(), start + query.limit());
		return new Page<>(sorted.subList(start, end), end < sorted.size());
	}

}
