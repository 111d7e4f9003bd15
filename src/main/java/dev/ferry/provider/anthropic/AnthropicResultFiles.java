package dev.ferry.provider.anthropic;

import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import dev.ferry.batch.ApiError;
import dev.ferry.batch.FileContent;
import dev.ferry.batch.FileObject;
import dev.ferry.batch.ResultFiles;
import dev.ferry.provider.anthropic.KeptBatches.KeptBatch;
import dev.ferry.results.JsonLines;
import dev.ferry.translate.AnthropicResult;
import dev.ferry.translate.AnthropicResultToChat;

import org.springframework.http.MediaType;

/**
 * The output and error files of an Anthropic batch, which Anthropic does not have: both
 * are read from the batch's one results stream as it arrives, each line translated into
 * an OpenAI output line (succeeded) or error line (errored, expired, canceled), with the
 * caller's {@code custom_id} restored.
 */
final class AnthropicResultFiles {

	private static final MediaType JSONL = MediaType.parseMediaType("application/jsonl");

	private final String provider;

	private final AnthropicClient client;

	private final KeptBatches kept;

	private final AnthropicResultToChat translator;

	private final JsonMapper mapper;

	private final int maxLineBytes;

	AnthropicResultFiles(String provider, AnthropicClient client, KeptBatches kept, JsonMapper mapper,
			int maxLineBytes) {
		this.provider = provider;
		this.client = client;
		this.kept = kept;
		this.translator = new AnthropicResultToChat(mapper);
		this.mapper = mapper;
		this.maxLineBytes = maxLineBytes;
	}

	/**
	 * The file object of a result file.
	 * @param nativeId {@code <batch>-output} or {@code <batch>-errors}
	 * @return the file; its size is 0, since it is translated as it streams
	 */
	Mono<FileObject> file(String nativeId) {
		return endedBatch(nativeId).map((batch) -> ResultFiles.file(this.provider, nativeId, endedAt(batch)));
	}

	/**
	 * Streams a result file.
	 * @param nativeId {@code <batch>-output} or {@code <batch>-errors}
	 * @return the content
	 */
	Mono<FileContent> content(String nativeId) {
		boolean output = ResultFiles.isOutput(nativeId);
		String batchId = ResultFiles.batchId(nativeId);
		return endedBatch(nativeId).flatMap((batch) -> this.kept.find(this.provider, batchId)
			.flatMap((kept) -> this.kept.customIds(this.provider, kept.orElse(null)).map((customIds) -> {
				boolean translated = kept.map(KeptBatch::translated).orElse(false);
				return new FileContent(JSONL, -1,
						JsonLines
							.frame(this.client.results(AnthropicWire.text(batch, "results_url")), this.maxLineBytes)
							.map((line) -> AnthropicResult.read(this.mapper,
									line.text().getBytes(java.nio.charset.StandardCharsets.UTF_8), !translated))
							.filter((result) -> result.succeeded() == output)
							.map((result) -> this.translator.line(result, customIds.apply(result.customId()), batchId,
									endedAt(batch))));
			})));
	}

	/** The batch behind a result file, which exists only once the batch has ended. */
	private Mono<JsonNode> endedBatch(String nativeId) {
		return this.client.retrieve(ResultFiles.batchId(nativeId))
			.onErrorMap(ApiError.class,
					(error) -> (error.status() == 404) ? ResultFiles.notFound(this.provider, nativeId) : error)
			.filter((batch) -> AnthropicWire.text(batch, "results_url") != null)
			.switchIfEmpty(Mono.error(() -> ResultFiles.notFound(this.provider, nativeId)));
	}

	private static long endedAt(JsonNode batch) {
		Long ended = AnthropicWire.seconds(batch, "ended_at");
		return (ended != null) ? ended : 0;
	}

}
