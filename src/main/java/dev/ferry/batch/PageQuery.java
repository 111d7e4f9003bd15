package dev.ferry.batch;

import java.util.regex.Pattern;

import org.jspecify.annotations.Nullable;

import dev.ferry.dialect.RequestParams;

import org.springframework.web.reactive.function.server.ServerRequest;

/**
 * A request for one page of a list.
 *
 * @param limit how many items at most
 * @param after the id after which the page starts
 * @param order {@code asc} or {@code desc} by creation time, where the list supports it
 * @param purpose only files of this purpose, for file lists
 */
public record PageQuery(int limit, @Nullable String after, @Nullable String order, @Nullable String purpose) {

	private static final Pattern ORDER = Pattern.compile("asc|desc");

	private static final Pattern PURPOSE = Pattern.compile("[a-z_-]{1,64}");

	/**
	 * A batch list query: {@code limit} 1..100 (default 20) and {@code after}.
	 * @param request the request
	 * @param provider the provider, whose id alphabet {@code after} must match
	 * @return the query
	 */
	public static PageQuery forBatches(ServerRequest request, BatchProvider provider) {
		return new PageQuery(RequestParams.boundedInt(request, "limit", 20, 1, 100), after(request, provider), null,
				null);
	}

	/**
	 * A file list query: {@code limit} 1..10000 (default 10000), {@code after},
	 * {@code order} and {@code purpose}.
	 * @param request the request
	 * @param provider the provider, whose id alphabet {@code after} must match
	 * @return the query
	 */
	public static PageQuery forFiles(ServerRequest request, BatchProvider provider) {
		return new PageQuery(RequestParams.boundedInt(request, "limit", 10000, 1, 10000), after(request, provider),
				RequestParams.optional(request, "order", ORDER, "asc or desc"),
				RequestParams.optional(request, "purpose", PURPOSE, "a file purpose such as batch"));
	}

	private static @Nullable String after(ServerRequest request, BatchProvider provider) {
		return RequestParams.optional(request, "after", provider.idPattern(),
				"an id of provider '" + provider.name() + "'");
	}

}
