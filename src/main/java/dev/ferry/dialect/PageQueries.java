package dev.ferry.dialect;

import java.util.regex.Pattern;

import org.jspecify.annotations.Nullable;

import dev.ferry.batch.PageQuery;

import org.springframework.web.reactive.function.server.ServerRequest;

/**
 * Reads list queries from requests; {@code after} may be any id Ferry handed out, which
 * the batch service decodes and checks against the provider's alphabet.
 */
public final class PageQueries {

	/** Any id Ferry hands out: native ids, and minted ones that carry them. */
	public static final Pattern ANY_ID = Pattern.compile("[A-Za-z0-9_-]{1,512}");

	private static final Pattern ORDER = Pattern.compile("asc|desc");

	private static final Pattern PURPOSE = Pattern.compile("[a-z_-]{1,64}");

	private PageQueries() {
	}

	/**
	 * A batch list query: {@code limit} 1..100 (default 20) and {@code after}.
	 * @param request the request
	 * @return the query
	 */
	public static PageQuery batches(ServerRequest request) {
		return new PageQuery(RequestParams.boundedInt(request, "limit", 20, 1, 100), after(request), null, null);
	}

	/**
	 * A file list query: {@code limit} 1..10000 (default 10000), {@code after},
	 * {@code order} and {@code purpose}.
	 * @param request the request
	 * @return the query
	 */
	public static PageQuery files(ServerRequest request) {
		return new PageQuery(RequestParams.boundedInt(request, "limit", 10000, 1, 10000), after(request),
				RequestParams.optional(request, "order", ORDER, "asc or desc"),
				RequestParams.optional(request, "purpose", PURPOSE, "a file purpose such as batch"));
	}

	private static @Nullable String after(ServerRequest request) {
		return RequestParams.optional(request, "after", ANY_ID, "an id from a previous page");
	}

}
