package dev.ferry.dialect.openai;

import java.util.List;
import java.util.Map;
import java.util.function.Function;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

import dev.ferry.batch.Batch;
import dev.ferry.batch.BatchError;
import dev.ferry.batch.BatchPage;
import dev.ferry.batch.BatchProvider;
import dev.ferry.batch.BatchTimes;
import dev.ferry.batch.FileObject;
import dev.ferry.batch.FilePage;
import dev.ferry.batch.ProviderDescriptor;

/**
 * Writes canonical batches and files as OpenAI's objects, for the OpenAI dialect.
 */
public final class OpenAiObjects {

	private static final JsonNodeFactory json = JsonNodeFactory.instance;

	private OpenAiObjects() {
	}

	/**
	 * Whether a provider answers in OpenAI's own shape, so that its objects pass through
	 * untouched rather than being written from the canonical model.
	 * @param provider the provider
	 * @return true for OpenAI-format providers
	 */
	static boolean sameFormat(BatchProvider provider) {
		return provider.descriptor().format() == ProviderDescriptor.Format.OPENAI;
	}

	/**
	 * OpenAI's batch object for a canonical batch.
	 * @param batch the batch
	 * @return the wire object
	 */
	public static ObjectNode batchToWire(Batch batch) {
		ObjectNode node = json.objectNode();
		node.put("id", batch.id());
		node.put("object", "batch");
		node.put("endpoint", batch.endpoint());
		if (batch.model() != null) {
			node.put("model", batch.model());
		}
		node.set("errors", batch.errors().isEmpty() ? json.nullNode() : errorsToWire(batch.errors()));
		node.put("input_file_id", batch.inputFileId());
		node.put("completion_window", batch.completionWindow());
		node.put("status", batch.status().wireName());
		node.put("output_file_id", batch.outputFileId());
		node.put("error_file_id", batch.errorFileId());
		BatchTimes times = batch.times();
		node.put("created_at", times.createdAt());
		node.put("in_progress_at", times.inProgressAt());
		node.put("expires_at", times.expiresAt());
		node.put("finalizing_at", times.finalizingAt());
		node.put("completed_at", times.completedAt());
		node.put("failed_at", times.failedAt());
		node.put("expired_at", times.expiredAt());
		node.put("cancelling_at", times.cancellingAt());
		node.put("cancelled_at", times.cancelledAt());
		ObjectNode counts = node.putObject("request_counts");
		counts.put("total", batch.requestCounts().total());
		counts.put("completed", batch.requestCounts().completed());
		counts.put("failed", batch.requestCounts().failed());
		if (batch.usage() != null) {
			node.set("usage", batch.usage());
		}
		node.set("metadata", metadataToWire(batch.metadata()));
		return node;
	}

	/**
	 * OpenAI's list object for a page of batches.
	 * @param page the page
	 * @return the wire object
	 */
	public static ObjectNode batchPageToWire(BatchPage page) {
		return listToWire(page.data(), OpenAiObjects::batchToWire, page.firstId(), page.lastId(), page.hasMore());
	}

	/**
	 * OpenAI's file object for a canonical file.
	 * @param file the file
	 * @return the wire object
	 */
	public static ObjectNode fileToWire(FileObject file) {
		ObjectNode node = json.objectNode();
		node.put("id", file.id());
		node.put("object", "file");
		node.put("bytes", file.bytes());
		node.put("created_at", file.createdAt());
		if (file.expiresAt() != null) {
			node.put("expires_at", file.expiresAt());
		}
		node.put("filename", file.filename());
		node.put("purpose", file.purpose());
		node.put("status", (file.status() != null) ? file.status() : "processed");
		return node;
	}

	/**
	 * OpenAI's list object for a page of files.
	 * @param page the page
	 * @return the wire object
	 */
	public static ObjectNode filePageToWire(FilePage page) {
		return listToWire(page.data(), OpenAiObjects::fileToWire, page.firstId(), page.lastId(), page.hasMore());
	}

	private static <T> ObjectNode listToWire(List<T> items, Function<T, ObjectNode> toWire, @Nullable String firstId,
			@Nullable String lastId, boolean hasMore) {
		ObjectNode node = json.objectNode();
		node.put("object", "list");
		ArrayNode data = node.putArray("data");
		items.forEach((item) -> data.add(toWire.apply(item)));
		node.put("first_id", firstId);
		node.put("last_id", lastId);
		node.put("has_more", hasMore);
		return node;
	}

	private static ObjectNode errorsToWire(List<BatchError> errors) {
		ObjectNode list = json.objectNode();
		list.put("object", "list");
		ArrayNode data = list.putArray("data");
		for (BatchError error : errors) {
			ObjectNode item = data.addObject();
			item.put("code", error.code());
			item.put("message", error.message());
			item.put("param", error.param());
			item.put("line", error.line());
		}
		return list;
	}

	private static JsonNode metadataToWire(@Nullable Map<String, String> metadata) {
		if (metadata == null) {
			return json.nullNode();
		}
		ObjectNode node = json.objectNode();
		metadata.forEach(node::put);
		return node;
	}

}
