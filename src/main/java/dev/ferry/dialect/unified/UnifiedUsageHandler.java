package dev.ferry.dialect.unified;

import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import java.util.regex.Pattern;

import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import dev.ferry.auth.CallerHeaders;
import dev.ferry.batch.ApiError;
import dev.ferry.dialect.JsonResponses;
import dev.ferry.dialect.RequestParams;
import dev.ferry.tenancy.Ownership;
import dev.ferry.usage.UsageQueries;
import dev.ferry.usage.UsageQueries.Query;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;

/**
 * {@code GET /v1/usage}: what the batches created with gateway keys used and cost, added
 * up by team, key, provider, model or day, over a time range ({@code from}, {@code to},
 * Unix seconds; the last 30 days by default). A key confined to its team sees its team's
 * usage only.
 */
@Component
class UnifiedUsageHandler {

	private static final Pattern NAME = Pattern.compile("[^\\s]{1,256}");

	private static final Pattern SECONDS = Pattern.compile("[0-9]{1,12}");

	private static final Duration DEFAULT_RANGE = Duration.ofDays(30);

	private static final Duration LONGEST_RANGE = Duration.ofDays(366);

	private final UsageQueries queries;

	private final Ownership ownership;

	private final JsonMapper mapper;

	private final Clock clock;

	UnifiedUsageHandler(UsageQueries queries, Ownership ownership, JsonMapper mapper, ObjectProvider<Clock> clock) {
		this.queries = queries;
		this.ownership = ownership;
		this.mapper = mapper;
		this.clock = clock.getIfAvailable(Clock::systemUTC);
	}

	Mono<ServerResponse> usage(ServerRequest request) {
		return CallerHeaders.current().flatMap((caller) -> {
			if (caller.gateway() == null) {
				return Mono.error(new ApiError(403, "permission_error", "usage_needs_gateway_key",
						"usage is recorded for the batches of gateway keys; present one", null, null));
			}
			Query asked = query(request);
			return this.ownership.confinedTo().flatMap((team) -> {
				Query query = team.map((own) -> withTeam(asked, own)).orElse(asked);
				return this.queries.totals(query).flatMap((rows) -> {
					ObjectNode body = this.mapper.createObjectNode().put("object", "list");
					ArrayNode data = body.putArray("data");
					rows.forEach(data::add);
					body.put("from", query.from()).put("to", query.to());
					body.putArray("group_by").addAll(query.groupBy().stream().map(body::textNode).toList());
					return JsonResponses.ok(body);
				});
			});
		});
	}

	/** A team's own usage only: another team named by a confined key matches nothing. */
	private static Query withTeam(Query query, String own) {
		String team = (query.team() == null || query.team().equals(own)) ? own : "\n";
		return new Query(team, query.key(), query.provider(), query.model(), query.from(), query.to(), query.groupBy());
	}

	private Query query(ServerRequest request) {
		long now = this.clock.instant().getEpochSecond();
		long to = seconds(request, "to", now + 1);
		long from = seconds(request, "from", to - DEFAULT_RANGE.toSeconds());
		if (from >= to || to - from > LONGEST_RANGE.toSeconds()) {
			throw ApiError.invalid("from",
					"from, to: expected from before to, at most " + LONGEST_RANGE.toDays() + " days apart");
		}
		String groups = Optional.ofNullable(RequestParams.optional(request, "group_by", NAME, "a list of groups"))
			.orElse("team,provider,model");
		List<String> groupBy = Arrays.stream(groups.split(",")).map(String::trim).filter((g) -> !g.isEmpty()).toList();
		for (String group : groupBy) {
			if (!UsageQueries.GROUPS.contains(group)) {
				throw ApiError.invalid("group_by", "group_by: '" + group + "' (expected any of: "
						+ String.join(", ", new TreeSet<>(UsageQueries.GROUPS)) + ")");
			}
		}
		return new Query(RequestParams.optional(request, "team", NAME, "a team"),
				RequestParams.optional(request, "key", NAME, "a gateway key's name"),
				RequestParams.optional(request, "provider", NAME, "a provider"),
				RequestParams.optional(request, "model", NAME, "a model"), from, to, groupBy);
	}

	private static long seconds(ServerRequest request, String name, long fallback) {
		String value = RequestParams.optional(request, name, SECONDS, "Unix seconds");
		return (value != null) ? Long.parseLong(value) : fallback;
	}

}
