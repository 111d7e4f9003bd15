package dev.ferry.sandbox;

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
	 * The page after {@code query.after()}, with one extra item when more follow.
	 * @param <T> the item type
	 * @param sorted the items in list order
	 * @param query the query
	 * @param id an item's id
	 * @return up to {@code limit + 1} items; more than {@code limit} means has_more
	 */
	static <T> List<T> after(List<T> sorted, PageQuery query, Function<T, String> id) {
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
		return sorted.subList(start, Math.min(sorted.size(), start + query.limit() + 1));
	}

}
