package dev.ferry.provider.openai;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import dev.ferry.batch.Batch;
import dev.ferry.batch.BatchError;
import dev.ferry.batch.BatchPage;
import dev.ferry.batch.BatchStatus;
import dev.ferry.batch.BatchTimes;
import dev.ferry.batch.FileObject;
import dev.ferry.batch.FilePage;
import dev.ferry.batch.RequestCounts;

/**
 * Reads OpenAI's batch and file objects into the canonical model.
 *
 * <p>
 * Reading is lenient: OpenAI-compatible services differ in small ways (capitalised
 * statuses, ISO timestamps, null counts), which are normalised here.
 */
public final class OpenAiWire {

	/** The batch object's timestamps, Unix seconds in OpenAI's shape. */
	private static final List<String> TIMES = List.of("created_at", "in_progress_at", "expires_at", "finalizing_at",
			"completed_at", "failed_at", "expired_at", "cancelling_at", "cancelled_at");

	private OpenAiWire() {
	}

	/**
	 * A canonical batch from an OpenAI batch object.
	 * @param provider the provider name
	 * @param node the batch object
	 * @param rawRequest the body that was sent, if any
	 * @return the batch
	 */
	public static Batch batchFromWire(String provider, JsonNode node, @Nullable JsonNode rawRequest) {
		JsonNode counts = node.path("request_counts");
		RequestCounts requestCounts = RequestCounts.of(counts.path("total").asLong(0),
				counts.path("completed").asLong(0), counts.path("failed").asLong(0));
		BatchTimes times = new BatchTimes(orZero(seconds(node, "created_at")), seconds(node, "in_progress_at"),
				seconds(node, "expires_at"), seconds(node, "finalizing_at"), seconds(node, "completed_at"),
				seconds(node, "failed_at"), seconds(node, "expired_at"), seconds(node, "cancelling_at"),
				seconds(node, "cancelled_at"), null);
		BatchStatus status = BatchStatus.fromWire(text(node, "status"));
		return new Batch(text(node, "id", ""), provider, text(node, "endpoint", ""), text(node, "model"),
				text(node, "input_file_id"), text(node, "completion_window"),
				(status != null) ? status : BatchStatus.fromTimes(times), text(node, "status"), requestCounts,
				metadata(node.get("metadata")), times, text(node, "output_file_id"), text(node, "error_file_id"),
				errors(node.path("errors").path("data")), null, nonNull(node.get("usage")), rawRequest, node);
	}

	/**
	 * Rewrites, in place, what an OpenAI-compatible service sends outside OpenAI's shape,
	 * so that its object can be passed to OpenAI-format callers with everything else
	 * untouched: a status outside OpenAI's set (capitalised, misspelt, unknown) becomes
	 * the one read into {@code batch}, ISO-8601 timestamps become Unix seconds, and
	 * missing or null request counts become numbers.
	 * @param node the provider's batch object
	 * @param batch the batch read from it
	 * @return the node
	 */
	public static JsonNode normalise(JsonNode node, Batch batch) {
		if (!(node instanceof ObjectNode object)) {
			return node;
		}
		if (!batch.status().wireName().equals(text(object, "status"))) {
			object.put("status", batch.status().wireName());
		}
		for (String field : TIMES) {
			JsonNode value = object.get(field);
			if (value != null && value.isString()) {
				object.put(field, seconds(object, field));
			}
		}
		JsonNode counts = object.get("request_counts");
		if (counts == null || !counts.path("total").isNumber() || !counts.path("completed").isNumber()
				|| !counts.path("failed").isNumber()) {
			object.putObject("request_counts")
				.put("total", batch.requestCounts().total())
				.put("completed", batch.requestCounts().completed())
				.put("failed", batch.requestCounts().failed());
		}
		return object;
	}

	/**
	 * A page of batches, each item read by {@code read}.
	 * @param node the list object
	 * @param read reads one batch object
	 * @return the page
	 */
	public static BatchPage batchPageFromWire(JsonNode node, Function<JsonNode, Batch> read) {
		List<Batch> batches = list(node, read);
		return new BatchPage(batches, text(node, "first_id"), text(node, "last_id"),
				node.path("has_more").asBoolean(false), node);
	}

	public static FileObject fileFromWire(String provider, JsonNode node) {
		return new FileObject(text(node, "id", ""), provider, node.path("bytes").asLong(0),
				orZero(seconds(node, "created_at")), seconds(node, "expires_at"), text(node, "filename", ""),
				text(node, "purpose", ""), text(node, "status"), node);
	}

	public static FilePage filePageFromWire(String provider, JsonNode node) {
		List<FileObject> files = list(node, (item) -> fileFromWire(provider, item));
		return new FilePage(files, text(node, "first_id"), text(node, "last_id"),
				node.path("has_more").asBoolean(false), node);
	}

	private static <T> List<T> list(JsonNode node, Function<JsonNode, T> fromWire) {
		List<T> items = new ArrayList<>();
		node.path("data").forEach((item) -> items.add(fromWire.apply(item)));
		return items;
	}

	private static List<BatchError> errors(JsonNode data) {
		List<BatchError> errors = new ArrayList<>();
		for (JsonNode item : data) {
			JsonNode line = item.get("line");
			errors.add(new BatchError(text(item, "code", ""), text(item, "message", ""), text(item, "param"),
					(line != null && line.isNumber()) ? line.asLong() : null));
		}
		return errors;
	}

	private static @Nullable Map<String, String> metadata(@Nullable JsonNode node) {
		if (node == null || !node.isObject()) {
			return null;
		}
		Map<String, String> metadata = new LinkedHashMap<>();
		node.properties().forEach((entry) -> metadata.put(entry.getKey(), entry.getValue().asString()));
		return metadata;
	}

	/**
	 * Unix seconds from a number, or from an ISO-8601 string as some compatible services
	 * send.
	 */
	private static @Nullable Long seconds(JsonNode node, String field) {
		JsonNode value = node.get(field);
		if (value == null || value.isNull()) {
			return null;
		}
		if (value.isNumber()) {
			return value.asLong();
		}
		try {
			return Instant.parse(value.asString()).getEpochSecond();
		}
		catch (DateTimeParseException ex) {
			return null;
		}
	}

	private static long orZero(@Nullable Long value) {
		return (value != null) ? value : 0L;
	}

	private static @Nullable JsonNode nonNull(@Nullable JsonNode node) {
		return (node == null || node.isNull()) ? null : node;
	}

	static @Nullable String text(JsonNode node, String field) {
		JsonNode value = node.get(field);
		return (value == null || value.isNull()) ? null : value.asString();
	}

	private static String text(JsonNode node, String field, String fallback) {
		String value = text(node, field);
		return (value != null) ? value : fallback;
	}

}
