package dev.ferry.provider.anthropic;

import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import dev.ferry.batch.ApiError;
import dev.ferry.batch.FerryIds;
import dev.ferry.batch.FileContent;
import dev.ferry.batch.FileObject;
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

	static final String OUTPUT = "-output";

	static final String ERRORS = "-errors";

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
	 * Whether a native file id names a result file.
	 * @param nativeId the native file id
	 * @return true for {@code <batch>-output} and {@code <batch>-errors}
	 */
	static boolean isResultFile(String nativeId) {
		return nativeId.endsWith(OUTPUT) || nativeId.endsWith(ERRORS);
	}

	/**
	 * The file object of a result file.
	 * @param nativeId {@code <batch>-output} or {@code <batch>-errors}
	 * @return the file; its size is 0, since it is translated as it streams
	 */
	Mono<FileObject> file(String nativeId) {
		String publicId = publicId(nativeId);
		return endedBatch(publicId, nativeId).map((batch) -> new FileObject(publicId, this.provider, 0, endedAt(batch),
				null, batchId(nativeId) + (nativeId.endsWith(OUTPUT) ? "_output.jsonl" : "_errors.jsonl"),
				"batch_output", "processed", null));
	}

	/**
	 * Streams a result file.
	 * @param nativeId {@code <batch>-output} or {@code <batch>-errors}
	 * @return the content
	 */
	Mono<FileContent> content(String nativeId) {
		String publicId = publicId(nativeId);
		boolean output = nativeId.endsWith(OUTPUT);
		String batchId = batchId(nativeId);
		return endedBatch(publicId, nativeId).flatMap((batch) -> this.kept.find(this.provider, batchId)
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
	private Mono<JsonNode> endedBatch(String publicId, String nativeId) {
		return this.client.retrieve(batchId(nativeId))
			.onErrorMap(ApiError.class, (error) -> (error.status() == 404) ? notFound(publicId) : error)
			.filter((batch) -> AnthropicWire.text(batch, "results_url") != null)
			.switchIfEmpty(Mono.error(() -> notFound(publicId)));
	}

	private ApiError notFound(String publicId) {
		return ApiError.notFound(this.provider, "No such File object: " + publicId);
	}

	private String publicId(String nativeId) {
		return FerryIds.mint("file-", this.provider, nativeId);
	}

	private static long endedAt(JsonNode batch) {
		Long ended = AnthropicWire.seconds(batch, "ended_at");
		return (ended != null) ? ended : 0;
	}

	private static String batchId(String nativeId) {
		return nativeId.substring(0, nativeId.length() - (nativeId.endsWith(OUTPUT) ? OUTPUT : ERRORS).length());
	}

}
