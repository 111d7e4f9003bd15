package dev.ferry.batch;

import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A batch in Ferry's canonical model, whatever provider runs it.
 *
 * @param id the provider's batch id
 * @param provider the name of the provider that runs the batch
 * @param endpoint the endpoint every request targets, such as
 * {@code /v1/chat/completions}
 * @param model the model, where the provider says
 * @param inputFileId the input file
 * @param completionWindow the completion window, such as {@code 24h}
 * @param status the status in OpenAI's vocabulary
 * @param processingStatus the provider's native state, where it differs in kind
 * @param requestCounts how the requests stand
 * @param metadata the caller's metadata
 * @param times the timestamps
 * @param outputFileId the file of successful results, once there is one
 * @param errorFileId the file of failed requests, once there is one
 * @param errors batch-level errors
 * @param resultsUrl where results can be fetched, for providers that serve them so
 * @param usage token usage, where the provider reports it
 * @param rawRequest the body Ferry sent upstream, if any
 * @param rawResponse the provider's own response, if it came over the wire
 * @param rawResponseBytes the same response as JSON bytes, in place of the tree, when the
 * batch is kept in a status cache: a tenth of the tree's memory, and written to the
 * caller as it is
 */
public record Batch(String id, String provider, String endpoint, @Nullable String model, @Nullable String inputFileId,
		@Nullable String completionWindow, BatchStatus status, @Nullable String processingStatus,
		RequestCounts requestCounts, @Nullable Map<String, String> metadata, BatchTimes times,
		@Nullable String outputFileId, @Nullable String errorFileId, List<BatchError> errors,
		@Nullable String resultsUrl, @Nullable JsonNode usage, @Nullable JsonNode rawRequest,
		@Nullable JsonNode rawResponse, byte @Nullable [] rawResponseBytes) {

	/**
	 * A batch as read from an upstream or made by Ferry, with the provider's response, if
	 * any, as a tree.
	 */
	public Batch(String id, String provider, String endpoint, @Nullable String model, @Nullable String inputFileId,
			@Nullable String completionWindow, BatchStatus status, @Nullable String processingStatus,
			RequestCounts requestCounts, @Nullable Map<String, String> metadata, BatchTimes times,
			@Nullable String outputFileId, @Nullable String errorFileId, List<BatchError> errors,
			@Nullable String resultsUrl, @Nullable JsonNode usage, @Nullable JsonNode rawRequest,
			@Nullable JsonNode rawResponse) {
		this(id, provider, endpoint, model, inputFileId, completionWindow, status, processingStatus, requestCounts,
				metadata, times, outputFileId, errorFileId, errors, resultsUrl, usage, rawRequest, rawResponse, null);
	}

	/**
	 * The provider's own response, if it came over the wire; read from its bytes when the
	 * batch keeps only those (a rare need: {@code x-ferry-include-raw}), as a new tree.
	 * @return the response, or {@code null}
	 */
	@Override
	public @Nullable JsonNode rawResponse() {
		if (this.rawResponse == null && this.rawResponseBytes != null) {
			return JsonMapper.shared().readTree(this.rawResponseBytes);
		}
		return this.rawResponse;
	}

	/**
	 * This batch keeping its response as bytes rather than as a tree, to be kept in a
	 * cache and shared by every caller.
	 * @param json the response's JSON
	 * @return a copy
	 */
	public Batch keptAs(byte[] json) {
		return new Batch(this.id, this.provider, this.endpoint, this.model, this.inputFileId, this.completionWindow,
				this.status, this.processingStatus, this.requestCounts, this.metadata, this.times, this.outputFileId,
				this.errorFileId, this.errors, this.resultsUrl, this.usage, this.rawRequest, null, json);
	}

	/**
	 * This batch with the files its results are read from.
	 * @param output the output file, or {@code null}
	 * @param error the error file, or {@code null}
	 * @return a copy with those files
	 */
	public Batch withResultFiles(@Nullable String output, @Nullable String error) {
		return new Batch(this.id, this.provider, this.endpoint, this.model, this.inputFileId, this.completionWindow,
				this.status, this.processingStatus, this.requestCounts, this.metadata, this.times, output, error,
				this.errors, this.resultsUrl, this.usage, this.rawRequest, this.rawResponse, this.rawResponseBytes);
	}

}
