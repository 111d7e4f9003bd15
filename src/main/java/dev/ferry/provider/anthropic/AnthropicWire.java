package dev.ferry.provider.anthropic;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

import dev.ferry.batch.Batch;
import dev.ferry.batch.BatchPage;
import dev.ferry.batch.BatchStatus;
import dev.ferry.batch.BatchTimes;
import dev.ferry.batch.RequestCounts;
import dev.ferry.provider.anthropic.KeptBatches.KeptBatch;

/**
 * Reads Anthropic's {@code MessageBatch} into the canonical model, deriving OpenAI's
 * status with the rules of the provider mapping tables, so OpenAI-style pollers always
 * reach a terminal state.
 */
final class AnthropicWire {

	/** Anthropic batches run Messages requests only, within a fixed 24 hours. */
	static final String ENDPOINT = "/v1/messages";

	private AnthropicWire() {
	}

	/**
	 * A canonical batch from a {@code MessageBatch}.
	 * @param provider the provider name
	 * @param node the MessageBatch
	 * @param kept what Ferry kept for it, if it created it
	 * @param ids the ids callers see for it
	 * @return the batch
	 */
	static Batch batchFromWire(String provider, JsonNode node, @Nullable KeptBatch kept, Ids ids) {
		JsonNode counts = node.path("request_counts");
		long processing = counts.path("processing").asLong(0);
		long succeeded = counts.path("succeeded").asLong(0);
		long errored = counts.path("errored").asLong(0);
		long canceled = counts.path("canceled").asLong(0);
		long expired = counts.path("expired").asLong(0);
		Long cancelInitiatedAt = seconds(node, "cancel_initiated_at");
		BatchStatus status = status(text(node, "processing_status"), cancelInitiatedAt, expired);
		Long createdAt = seconds(node, "created_at");
		Long endedAt = seconds(node, "ended_at");
		BatchTimes times = new BatchTimes((createdAt != null) ? createdAt : 0L, createdAt, seconds(node, "expires_at"),
				null, (status == BatchStatus.COMPLETED) ? endedAt : null, null,
				(status == BatchStatus.EXPIRED) ? endedAt : null, cancelInitiatedAt,
				(status == BatchStatus.CANCELLED) ? endedAt : null, seconds(node, "archived_at"));
		long failed = errored + canceled + expired;
		RequestCounts requestCounts = new RequestCounts(processing + succeeded + failed, succeeded, failed, succeeded,
				expired, canceled, processing);
		boolean ended = status.isTerminal();
		return new Batch(ids.batchId(), provider, (kept != null) ? kept.endpoint() : ENDPOINT,
				(kept != null) ? kept.model() : null, (kept != null) ? kept.inputFileId() : null, "24h", status,
				text(node, "processing_status"), requestCounts, (kept != null) ? kept.metadata() : null, times,
				(ended && succeeded > 0) ? ids.outputFileId() : null, (ended && failed > 0) ? ids.errorFileId() : null,
				List.of(), text(node, "results_url"), null, null, node);
	}

	/**
	 * The ids callers see for one Anthropic batch.
	 *
	 * @param batchId the batch
	 * @param outputFileId its output file, once it has one
	 * @param errorFileId its error file, once it has one
	 */
	record Ids(String batchId, String outputFileId, String errorFileId) {
	}

	/**
	 * OpenAI's status for Anthropic's: {@code ended} becomes cancelled when a cancel was
	 * asked for, expired when requests expired, completed otherwise.
	 * @param processingStatus {@code in_progress}, {@code canceling} or {@code ended}
	 * @param cancelInitiatedAt when a cancel was asked for, if one was
	 * @param expired the number of expired requests
	 * @return the status
	 */
	static BatchStatus status(@Nullable String processingStatus, @Nullable Long cancelInitiatedAt, long expired) {
		if ("canceling".equals(processingStatus)) {
			return BatchStatus.CANCELLING;
		}
		if (!"ended".equals(processingStatus)) {
			return BatchStatus.IN_PROGRESS;
		}
		if (cancelInitiatedAt != null) {
			return BatchStatus.CANCELLED;
		}
		return (expired > 0) ? BatchStatus.EXPIRED : BatchStatus.COMPLETED;
	}

	/**
	 * A page of batches; Anthropic lists newest first and pages with {@code after_id}.
	 * @param provider the provider name
	 * @param node the list response
	 * @param kept what Ferry kept for each batch, by native id
	 * @param ids the ids callers see for a native batch id
	 * @return the page
	 */
	static BatchPage pageFromWire(String provider, JsonNode node, Map<String, KeptBatch> kept,
			Function<String, Ids> ids) {
		List<Batch> batches = new ArrayList<>();
		for (JsonNode item : node.path("data")) {
			String id = text(item, "id");
			batches.add(batchFromWire(provider, item, kept.get(id), ids.apply((id != null) ? id : "")));
		}
		return new BatchPage(batches, batches.isEmpty() ? null : batches.get(0).id(),
				batches.isEmpty() ? null : batches.get(batches.size() - 1).id(), node.path("has_more").asBoolean(false),
				node);
	}

	static @Nullable Long seconds(JsonNode node, String field) {
		String value = text(node, field);
		if (value == null) {
			return null;
		}
		try {
			return Instant.parse(value).getEpochSecond();
		}
		catch (DateTimeParseException ex) {
			return null;
		}
	}

	static @Nullable String text(JsonNode node, String field) {
		JsonNode value = node.get(field);
		return (value == null || value.isNull()) ? null : value.asString();
	}

}
