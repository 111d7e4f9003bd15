package dev.ferry.usage;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import dev.ferry.storage.BlobStore;

import org.springframework.stereotype.Component;

/**
 * Totals of the recorded usage: the records of each UTC day in a time range, filtered by
 * team, key, provider and model, added up by the groups asked for.
 */
@Component
public class UsageQueries {

	/** What totals can be grouped by. */
	public static final Set<String> GROUPS = Set.of("team", "key", "provider", "model", "day");

	private final BlobStore blobs;

	private final JsonMapper mapper;

	UsageQueries(BlobStore blobs, JsonMapper mapper) {
		this.blobs = blobs;
		this.mapper = mapper;
	}

	/**
	 * The totals, a row per group, in the order the groups were first met.
	 * @param query the filters, range and grouping
	 * @return the rows
	 */
	public Mono<List<ObjectNode>> totals(Query query) {
		LocalDate first = LocalDate.ofInstant(Instant.ofEpochSecond(query.from()), ZoneOffset.UTC);
		LocalDate last = LocalDate.ofInstant(Instant.ofEpochSecond(query.to()), ZoneOffset.UTC);
		List<LocalDate> days = first.datesUntil(last.plusDays(1)).toList();
		return Flux.fromIterable(days)
			.concatMap((day) -> this.blobs.list(UsageRecorder.dayFolder(day))
				.concatMap((name) -> this.blobs.get(UsageRecorder.dayFolder(day) + "/" + name)))
			.map((blob) -> this.mapper.readValue(blob.bytes(), UsageRecord.class))
			.filter(query::matches)
			.collect(LinkedHashMap<List<String>, ObjectNode>::new, (groups, record) -> add(groups, query, record))
			.map((groups) -> new ArrayList<>(groups.values()));
	}

	private void add(Map<List<String>, ObjectNode> groups, Query query, UsageRecord record) {
		List<String> key = query.groupBy().stream().map((group) -> group(record, group)).toList();
		ObjectNode row = groups.computeIfAbsent(key, (values) -> {
			ObjectNode created = this.mapper.createObjectNode();
			for (int i = 0; i < values.size(); i++) {
				created.put(query.groupBy().get(i), values.get(i));
			}
			return created.put("batches", 0)
				.put("requests", 0)
				.put("input_tokens", 0)
				.put("output_tokens", 0)
				.put("cached_tokens", 0)
				.put("cost_usd", 0.0)
				.put("unpriced_batches", 0);
		});
		row.put("batches", row.path("batches").asLong() + 1)
			.put("requests", row.path("requests").asLong() + record.requests())
			.put("input_tokens", row.path("input_tokens").asLong() + record.inputTokens())
			.put("output_tokens", row.path("output_tokens").asLong() + record.outputTokens())
			.put("cached_tokens", row.path("cached_tokens").asLong() + record.cachedTokens());
		if (record.costUsd() != null) {
			row.put("cost_usd", row.path("cost_usd").asDouble() + record.costUsd());
		}
		else {
			row.put("unpriced_batches", row.path("unpriced_batches").asLong() + 1);
		}
	}

	private static String group(UsageRecord record, String group) {
		String value = switch (group) {
			case "team" -> record.team();
			case "key" -> record.key();
			case "provider" -> record.provider();
			case "model" -> record.model();
			default -> LocalDate.ofInstant(Instant.ofEpochSecond(record.endedAt()), ZoneOffset.UTC).toString();
		};
		return (value != null) ? value : "";
	}

	/**
	 * What to add up.
	 *
	 * @param team only this team's, if set
	 * @param key only this gateway key's, if set
	 * @param provider only this provider's, if set
	 * @param model only this model's, if set
	 * @param from the range's start, in Unix seconds, included
	 * @param to the range's end, in Unix seconds, excluded
	 * @param groupBy the groups, in order
	 */
	public record Query(@Nullable String team, @Nullable String key, @Nullable String provider, @Nullable String model,
			long from, long to, List<String> groupBy) {

		boolean matches(UsageRecord record) {
			return (this.team == null || this.team.equals(record.team()))
					&& (this.key == null || this.key.equals(record.key()))
					&& (this.provider == null || this.provider.equals(record.provider()))
					&& (this.model == null || this.model.equals(record.model())) && record.endedAt() >= this.from
					&& record.endedAt() < this.to;
		}

	}

}
