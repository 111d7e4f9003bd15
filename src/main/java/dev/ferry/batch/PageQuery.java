package dev.ferry.batch;

import org.jspecify.annotations.Nullable;

/**
 * A request for one page of a list.
 *
 * @param limit how many items at most
 * @param after the id after which the page starts
 * @param order {@code asc} or {@code desc} by creation time, where the list supports it
 * @param purpose only files of this purpose, for file lists
 */
public record PageQuery(int limit, @Nullable String after, @Nullable String order, @Nullable String purpose) {

	/**
	 * This query starting after another id.
	 * @param id the id, native to the provider
	 * @return a copy
	 */
	public PageQuery withAfter(String id) {
		return new PageQuery(this.limit, id, this.order, this.purpose);
	}

}
