package dev.ferry.provider.openai;

import java.util.stream.Stream;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import dev.ferry.batch.ApiError;
import dev.ferry.batch.Batch;
import dev.ferry.batch.BatchDeleted;
import dev.ferry.batch.BatchFiles;
import dev.ferry.batch.BatchResults;
import dev.ferry.batch.BatchStatus;
import dev.ferry.batch.FileContent;
import dev.ferry.batch.FileDeleted;
import dev.ferry.batch.FileObject;
import dev.ferry.batch.FileResults;
import dev.ferry.batch.ProviderDescriptor;
import dev.ferry.batch.ResultFiles;
import dev.ferry.results.JsonLines;
import dev.ferry.translate.CerebrasResultToChat;

import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.client.WebClient;

/**
 * Cerebras' Batch API (private preview): OpenAI's files and batch objects, but a batch is
 * cancelled with {@code DELETE /batches/{id}} and has no output or error file; its
 * results are one stream at {@code GET /batches/{id}/results} in Cerebras' own line
 * format. Ferry gives an ended batch an output and an error file of its own, read from
 * that stream and translated line by line into OpenAI's output and error lines.
 */
final class CerebrasProvider extends OpenAiProvider {

	static final ProviderDescriptor DESCRIPTOR = ProviderDescriptor.builder("cerebras")
		.endpoints(OpenAiFamilies.CHAT)
		.limits(50_000, OpenAiFamilies.megabytes(200))
		.build();

	private static final MediaType JSONL = MediaType.parseMediaType("application/jsonl");

	private final CerebrasResultToChat translator;

	private final int maxLineBytes;

	CerebrasProvider(Setup setup) {
		super(setup);
		this.translator = new CerebrasResultToChat(setup.mapper());
		this.maxLineBytes = setup.maxLineBytes();
	}

	@Override
	protected WebClient.RequestHeadersSpec<?> cancelRequest(String batchId) {
		return this.client.delete().uri("/batches/{id}", batchId);
	}

	/**
	 * An ended batch that ran gets Ferry's result files, in the canonical batch and in
	 * the object passed through; where Cerebras gives no counts, both.
	 */
	@Override
	protected Batch toBatch(JsonNode node, @Nullable JsonNode rawRequest) {
		Batch batch = super.toBatch(node, rawRequest);
		if (!batch.status().isTerminal() || batch.status() == BatchStatus.FAILED) {
			return batch;
		}
		boolean counted = batch.requestCounts().total() > 0;
		String output = (!counted || batch.requestCounts().completed() > 0) ? ResultFiles.output(this.name, batch.id())
				: null;
		String errors = (!counted || batch.requestCounts().failed() > 0) ? ResultFiles.errors(this.name, batch.id())
				: null;
		if (node instanceof ObjectNode object) {
			object.put("output_file_id", output);
			object.put("error_file_id", errors);
		}
		return batch.withResultFiles(output, errors);
	}

	@Override
	public Mono<BatchResults> results(String batchId) {
		return retrieveBatch(batchId).map((batch) -> {
			FileResults.requireEnded(batch);
			return BatchResults.of(batch, () -> translated(batchId).map((line) -> JsonLines.line(line.line()))
				.onErrorMap(ApiError.class, (error) -> FileResults.gone(error, batch)));
		});
	}

	@Override
	public Mono<FileObject> retrieveFile(String fileId) {
		if (!ResultFiles.isResultFile(fileId)) {
			return super.retrieveFile(fileId);
		}
		return endedBatch(fileId).map((batch) -> ResultFiles.file(this.name, fileId, endedAt(batch)));
	}

	@Override
	public Mono<FileContent> fileContent(String fileId) {
		if (!ResultFiles.isResultFile(fileId)) {
			return super.fileContent(fileId);
		}
		boolean output = ResultFiles.isOutput(fileId);
		return endedBatch(fileId).map((batch) -> new FileContent(JSONL, -1,
				translated(batch.id()).filter((line) -> line.succeeded() == output)
					.map((line) -> JsonLines.line(line.line()))));
	}

	@Override
	public Mono<FileDeleted> deleteFile(String fileId) {
		if (ResultFiles.isResultFile(fileId)) {
			return Mono.error(ApiError.invalid("file_id", "file_id: '" + ResultFiles.publicId(this.name, fileId)
					+ "' is the results of a Cerebras batch, which Cerebras keeps; delete the batch instead"));
		}
		return super.deleteFile(fileId);
	}

	/**
	 * Cerebras has no batch delete: deleting an ended batch deletes its input file (its
	 * results are Cerebras' to keep).
	 */
	@Override
	public Mono<BatchDeleted> deleteBatch(String batchId) {
		return BatchFiles.delete(this, batchId, (batch) -> Stream.of(batch.inputFileId()));
	}

	private Flux<CerebrasResultToChat.Translated> translated(String batchId) {
		return download(this.client.get().uri("/batches/{id}/results", batchId))
			.flatMapMany((content) -> JsonLines.frame(content.body(), this.maxLineBytes))
			.map((line) -> this.translator.translate(line, batchId));
	}

	/** The batch behind a result file, which exists only once the batch has ended. */
	private Mono<Batch> endedBatch(String fileId) {
		return retrieveBatch(ResultFiles.batchId(fileId))
			.onErrorMap(ApiError.class,
					(error) -> (error.status() == 404) ? ResultFiles.notFound(this.name, fileId) : error)
			.filter((batch) -> batch.status().isTerminal() && batch.status() != BatchStatus.FAILED)
			.switchIfEmpty(Mono.error(() -> ResultFiles.notFound(this.name, fileId)));
	}

	private static long endedAt(Batch batch) {
		Long ended = (batch.times().completedAt() != null) ? batch.times().completedAt()
				: (batch.times().cancelledAt() != null) ? batch.times().cancelledAt() : batch.times().expiredAt();
		return (ended != null) ? ended : batch.times().createdAt();
	}

}
