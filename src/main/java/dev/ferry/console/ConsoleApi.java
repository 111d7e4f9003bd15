package dev.ferry.console;

import java.util.List;
import java.util.Set;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.annotation.JsonNaming;

import dev.ferry.auth.CallerHeaders;
import dev.ferry.auth.GatewayKeys;
import dev.ferry.auth.GatewayKeys.Gateway;
import dev.ferry.batch.ApiError;
import dev.ferry.batch.ProviderRegistry;
import dev.ferry.dialect.JsonResponses;
import dev.ferry.dialect.RequestParams;
import dev.ferry.storage.BlobKeys;
import dev.ferry.tenancy.Ownership;
import dev.ferry.tenancy.Ownership.Created;

import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;

/**
 * The console's own calls. Everything else it shows comes from the unified API, called
 * with the same key, so that it sees exactly what that key may see there.
 */
@Component
@ConditionalOnProperty(name = "ferry.console.enabled", havingValue = "true")
class ConsoleApi {

	static final int DEFAULT_LIMIT = 20;

	static final int MAX_LIMIT = 100;

	private final GatewayKeys keys;

	private final ProviderRegistry registry;

	private final Ownership ownership;

	ConsoleApi(GatewayKeys keys, ProviderRegistry registry, Ownership ownership) {
		this.keys = keys;
		this.registry = registry;
		this.ownership = ownership;
	}

	/** {@code GET /console/api/session}: who the key belongs to; 401 for any other. */
	Mono<ServerResponse> session(ServerRequest request) {
		Gateway gateway = signedIn(request);
		return JsonResponses.ok(new Session(gateway.name(), gateway.team(), gateway.admin(), providers(gateway)));
	}

	/**
	 * {@code GET /console/api/batches}: the batches gateway keys created, newest first,
	 * across the providers the key may use: its team's, or every team's for an admin.
	 */
	Mono<ServerResponse> batches(ServerRequest request) {
		Gateway gateway = signedIn(request);
		int limit = RequestParams.boundedInt(request, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT);
		@Nullable Position after = request.queryParam("after").map(Position::parse).orElse(null);
		Set<String> teams = gateway.admin() ? this.keys.teams() : Set.of(gateway.team());
		return this.ownership.created(teams, providers(gateway))
			.filter((batch) -> after == null || Created.NEWEST_FIRST.compare(batch, after.created()) > 0)
			.take(limit + 1L)
			.collectList()
			.flatMap((found) -> {
				List<Created> page = found.subList(0, Math.min(limit, found.size()));
				boolean more = found.size() > limit;
				List<Entry> data = page.stream()
					.map((batch) -> new Entry(batch.nativeId(), batch.provider(), batch.team(),
							batch.createdAt() / 1000))
					.toList();
				String next = (more) ? Position.of(page.get(page.size() - 1)) : null;
				return JsonResponses.ok(new Page("list", data, more, next));
			});
	}

	private List<String> providers(Gateway gateway) {
		return this.registry.names().stream().filter(gateway::allows).sorted().toList();
	}

	/** The console signs in with gateway keys only: a provider's own key is refused. */
	private static Gateway signedIn(ServerRequest request) {
		Gateway gateway = CallerHeaders.of(request).gateway();
		if (gateway == null) {
			throw new ApiError(401, "authentication_error", "gateway_key_required",
					"the console signs in with one of this Ferry's gateway keys (they start with '" + GatewayKeys.PREFIX
							+ "'), sent as 'Authorization: Bearer <key>'",
					null, null);
		}
		return gateway;
	}

	/**
	 * Who is signed in.
	 *
	 * @param name the key's name
	 * @param team its team
	 * @param admin whether it sees every team's batches
	 * @param providers the providers it may use
	 */
	record Session(String name, String team, boolean admin, List<String> providers) {
	}

	/**
	 * One batch of the list; the console reads the rest from the unified API.
	 *
	 * @param id the batch's id at its provider
	 * @param provider the provider
	 * @param team the team whose key created it
	 * @param createdAt when Ferry recorded it, in epoch seconds
	 */
	@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
	record Entry(String id, String provider, String team, long createdAt) {
	}

	/**
	 * A page of the list.
	 *
	 * @param object always {@code list}
	 * @param data the batches
	 * @param hasMore whether older ones follow
	 * @param nextCursor the {@code after} of the next page
	 */
	@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
	record Page(String object, List<Entry> data, boolean hasMore, @Nullable String nextCursor) {
	}

	/** Where a page ended: the last batch's place in the order. */
	private record Position(Created created) {

		static String of(Created last) {
			return last.createdAt() + "." + BlobKeys.part(last.provider()) + "." + BlobKeys.part(last.nativeId());
		}

		static Position parse(String text) {
			String[] parts = text.split("\\.");
			try {
				if (parts.length == 3) {
					return new Position(new Created("", BlobKeys.text(parts[1]), BlobKeys.text(parts[2]),
							Long.parseLong(parts[0])));
				}
			}
			catch (IllegalArgumentException ex) {
				// Reported below.
			}
			throw new ApiError(400, ApiError.INVALID_REQUEST, "invalid_cursor",
					"after: '" + text + "' is not a cursor this list handed out (pass next_cursor as it is)", "after",
					null);
		}

	}

}
