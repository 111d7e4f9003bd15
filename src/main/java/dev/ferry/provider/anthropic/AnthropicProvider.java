package dev.ferry.provider.anthropic;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;

import dev.ferry.batch.ApiError;
import dev.ferry.batch.Batch;
import dev.ferry.batch.BatchDeleted;
import dev.ferry.batch.BatchPage;
import dev.ferry.batch.BatchProvider;
import dev.ferry.batch.BatchResults;
import dev.ferry.batch.CreateBatch;
import dev.ferry.batch.FerryIds;
import dev.ferry.batch.FileContent;
import dev.ferry.batch.FileDeleted;
import dev.ferry.batch.FileObject;
import dev.ferry.batch.FilePage;
import dev.ferry.batch.FileResults;
import dev.ferry.batch.InlineBatch;
import dev.ferry.batch.InlineRequests;
import dev.ferry.batch.PageQuery;
import dev.ferry.batch.ProviderDescriptor;
import dev.ferry.batch.ResultFiles;
import dev.ferry.files.HeldFiles;
import dev.ferry.files.InputRequest;
import dev.ferry.provider.anthropic.KeptBatches.KeptBatch;

import org.springframework.http.codec.multipart.PartEvent;

/**
 * Anthropic's Message Batches API in Ferry's canonical (OpenAI-shaped) model. Anthropic
 * takes no files, so Ferry holds uploaded input files, translates their
 * {@code chat.completions} lines into Messages requests at create, keeps the batch
 * metadata Anthropic has no field for, and serves the batch's results as OpenAI output
 * and error files. Callers see Ferry-minted {@code batch_} and {@code file-} ids that
 * carry the provider and the native id.
 */
public final class AnthropicProvider implements BatchProvider {

	private final String name;

	private final AnthropicClient client;

	private final KeptBatches kept;

	private final HeldFiles files;

	private final AnthropicBatchCreation creation;

	private final AnthropicResultFiles results;

	AnthropicProvider(String name, AnthropicClient client, KeptBatches kept, HeldFiles files,
			AnthropicBatchCreation creation, AnthropicResultFiles results) {
		this.name = name;
		this.client = client;
		this.kept = kept;
		this.files = files;
		this.creation = creation;
		this.results = results;
	}

	@Override
	public String name() {
		return this.name;
	}

	@Override
	public ProviderDescriptor descriptor() {
		return AnthropicFamily.DESCRIPTOR;
	}

	/**
	 * Anthropic's own endpoints, for traffic already in Anthropic's format.
	 * @return the client
	 */
	public AnthropicClient client() {
		return this.client;
	}

	/**
	 * Deletes an ended batch and what Ferry kept for it.
	 * @param batchId the native id
	 * @return Anthropic's answer as the raw response
	 */
	@Override
	public Mono<BatchDeleted> deleteBatch(String batchId) {
		return this.client.delete(batchId)
			.flatMap((deleted) -> this.kept.delete(this.name, batchId)
				.thenReturn(new BatchDeleted(this.ids(batchId).batchId(), true, deleted)));
	}

	@Override
	public Mono<Batch> createInlineBatch(InlineBatch request) {
		Supplier<Flux<InputRequest>> requests = () -> Flux.range(0, request.requests().size()).map((i) -> {
			JsonNode item = request.requests().get(i);
			return new InputRequest(item.get("custom_id").asString(), InlineRequests.body(item), "requests[" + i + "]",
					"requests");
		});
		return this.creation.create(requests, request.endpoint(), request.model(), request.metadata(), null)
			.flatMap(this::present);
	}

	@Override
	public Mono<Batch> createBatch(CreateBatch request) {
		String fileId = request.inputFileId();
		if (!fileId.startsWith(HeldFiles.NATIVE_PREFIX)) {
			throw ApiError.invalid("input_file_id",
					"input_file_id: '" + fileId + "' is not an input file uploaded to provider '" + this.name + "'");
		}
		return this.files.retrieve(fileId)
			.then(this.creation.create(this.creation.fromFile(() -> this.files.content(fileId), request.endpoint()),
					request.endpoint(), request.model(), request.metadata(), this.files.publicId(fileId)))
			.flatMap(this::present);
	}

	@Override
	public Mono<Batch> retrieveBatch(String batchId) {
		return this.client.retrieve(batchId).flatMap(this::present);
	}

	@Override
	public Mono<BatchPage> listBatches(PageQuery query) {
		return this.client.list(query.limit(), query.after(), null)
			.flatMap((node) -> Flux.fromIterable(node.path("data"))
				.map((item) -> AnthropicWire.text(item, "id"))
				.concatMap((id) -> this.kept.load(this.name, id).map((kept) -> Map.entry(id, kept)))
				.collectMap(Map.Entry::getKey, Map.Entry::getValue, LinkedHashMap::new)
				.map((kept) -> AnthropicWire.pageFromWire(this.name, node, kept, this::ids)));
	}

	@Override
	public Mono<Batch> cancelBatch(String batchId) {
		return this.client.cancel(batchId).flatMap(this::present);
	}

	/**
	 * The batch's results in Anthropic's own line format, read from its
	 * {@code results_url}, with the caller's {@code custom_id}s restored.
	 */
	@Override
	public Mono<BatchResults> results(String batchId) {
		return this.client.retrieve(batchId).zipWith(this.kept.find(this.name, batchId)).flatMap((found) -> {
			JsonNode node = found.getT1();
			KeptBatch kept = found.getT2().orElse(null);
			Batch batch = AnthropicWire.batchFromWire(this.name, node, kept, ids(batchId));
			String archivedAt = AnthropicWire.text(node, "archived_at");
			if (archivedAt != null) {
				return Mono.error(
						FileResults.gone(batch, "archived at " + archivedAt + "; Anthropic keeps results for 29 days"));
			}
			String resultsUrl = AnthropicWire.text(node, "results_url");
			if (resultsUrl == null) {
				FileResults.requireEnded(batch);
				return Mono.error(FileResults.gone(batch, "the batch has ended without a results_url"));
			}
			return this.kept.customIds(this.name, kept)
				.map((customIds) -> new BatchResults(batch, () -> this.client.results(resultsUrl)
					.onErrorMap(ApiError.class, (error) -> FileResults.gone(error, batch)), customIds));
		});
	}

	@Override
	public Mono<FileObject> uploadFile(Flux<PartEvent> parts) {
		return this.files.upload(parts);
	}

	@Override
	public Mono<FilePage> listFiles(PageQuery query) {
		return this.files.list(query);
	}

	@Override
	public Mono<FileObject> retrieveFile(String fileId) {
		return ResultFiles.isResultFile(fileId) ? this.results.file(fileId) : this.files.retrieve(fileId);
	}

	@Override
	public Mono<FileDeleted> deleteFile(String fileId) {
		if (ResultFiles.isResultFile(fileId)) {
			return Mono.error(ApiError.invalid("file_id",
					"file_id: '" + ResultFiles.publicId(this.name, fileId) + "' is the results of an Anthropic "
							+ "batch, kept by Anthropic for 29 days; delete the batch itself to remove them"));
		}
		return this.files.delete(fileId);
	}

	@Override
	public Mono<FileContent> fileContent(String fileId) {
		if (ResultFiles.isResultFile(fileId)) {
			return this.results.content(fileId);
		}
		return this.files.fileContent(fileId);
	}

	/**
	 * A message batch as Anthropic answered it, in Ferry's shape, without asking again.
	 * @param batch Anthropic's message batch
	 * @return the batch
	 */
	public Mono<Batch> present(JsonNode batch) {
		String id = AnthropicWire.text(batch, "id");
		Mono<Optional<KeptBatch>> kept = (id != null && ProviderDescriptor.OPENAI_ID.matcher(id).matches())
				? this.kept.find(this.name, id) : Mono.just(Optional.empty());
		return kept.map((found) -> AnthropicWire.batchFromWire(this.name, batch, found.orElse(null),
				ids((id != null) ? id : "")));
	}

	private AnthropicWire.Ids ids(String batchId) {
		return new AnthropicWire.Ids(FerryIds.mint("batch_", this.name, batchId),
				ResultFiles.output(this.name, batchId), ResultFiles.errors(this.name, batchId));
	}

}
