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
import dev.ferry.config.ProviderType;
import dev.ferry.dialect.RequestParams;
import dev.ferry.files.HeldFiles;
import dev.ferry.provider.anthropic.AnthropicBatchCreation.Request;
import dev.ferry.provider.anthropic.KeptBatches.KeptBatch;

import org.springframework.http.MediaType;
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

	private static final MediaType JSONL = MediaType.parseMediaType("application/jsonl");

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
	public ProviderType type() {
		return ProviderType.ANTHROPIC;
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
	 * @return Anthropic's answer
	 */
	public Mono<JsonNode> deleteBatch(String batchId) {
		return this.client.delete(batchId)
			.flatMap((deleted) -> this.kept.delete(this.name, batchId).thenReturn(deleted));
	}

	@Override
	public boolean takesInlineRequests() {
		return true;
	}

	@Override
	public Mono<Batch> createInlineBatch(InlineBatch request) {
		Supplier<Flux<Request>> requests = () -> Flux.range(0, request.requests().size()).map((i) -> {
			JsonNode item = request.requests().get(i);
			return new Request(item.get("custom_id").asString(), InlineRequests.body(item), "requests[" + i + "]",
					"requests");
		});
		return this.creation.create(requests, request.endpoint(), request.model(), request.metadata(), null)
			.flatMap(this::present);
	}

	@Override
	public Mono<Batch> createBatch(CreateBatch request) {
		String fileId = nativeFileId("input_file_id", request.inputFileId());
		if (!fileId.startsWith(HeldFiles.NATIVE_PREFIX)) {
			throw ApiError.invalid("input_file_id", "input_file_id: '" + request.inputFileId()
					+ "' is not an input file uploaded to provider '" + this.name + "'");
		}
		return this.files.retrieve(fileId)
			.then(this.creation.create(this.creation.fromFile(() -> this.files.content(fileId), request.endpoint()),
					request.endpoint(), request.model(), request.metadata(), request.inputFileId()))
			.flatMap(this::present);
	}

	@Override
	public Mono<Batch> retrieveBatch(String batchId) {
		return this.client.retrieve(nativeBatchId(batchId)).flatMap(this::present);
	}

	@Override
	public Mono<BatchPage> listBatches(PageQuery query) {
		String after = (query.after() != null) ? nativeBatchId(query.after()) : null;
		return this.client.list(query.limit(), after, null)
			.flatMap((node) -> Flux.fromIterable(node.path("data"))
				.map((item) -> AnthropicWire.text(item, "id"))
				.concatMap((id) -> this.kept.load(this.name, id).map((kept) -> Map.entry(id, kept)))
				.collectMap(Map.Entry::getKey, Map.Entry::getValue, LinkedHashMap::new)
				.map((kept) -> AnthropicWire.pageFromWire(this.name, node, kept, this::ids)));
	}

	@Override
	public Mono<Batch> cancelBatch(String batchId) {
		return this.client.cancel(nativeBatchId(batchId)).flatMap(this::present);
	}

	/**
	 * The batch's results in Anthropic's own line format, read from its
	 * {@code results_url}, with the caller's {@code custom_id}s restored.
	 */
	@Override
	public Mono<BatchResults> results(String batchId) {
		String nativeId = nativeBatchId(batchId);
		return this.client.retrieve(nativeId).zipWith(this.kept.find(this.name, nativeId)).flatMap((found) -> {
			JsonNode node = found.getT1();
			KeptBatch kept = found.getT2().orElse(null);
			Batch batch = AnthropicWire.batchFromWire(this.name, node, kept, ids(nativeId));
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
		String nativeId = nativeFileId("file_id", fileId);
		return AnthropicResultFiles.isResultFile(nativeId) ? this.results.file(fileId, nativeId)
				: this.files.retrieve(nativeId);
	}

	@Override
	public Mono<FileDeleted> deleteFile(String fileId) {
		String nativeId = nativeFileId("file_id", fileId);
		if (AnthropicResultFiles.isResultFile(nativeId)) {
			return Mono.error(ApiError.invalid("file_id", "file_id: '" + fileId + "' is the results of an Anthropic "
					+ "batch, kept by Anthropic for 29 days; delete the batch itself to remove them"));
		}
		return this.files.delete(nativeId);
	}

	@Override
	public Mono<FileContent> fileContent(String fileId) {
		String nativeId = nativeFileId("file_id", fileId);
		if (AnthropicResultFiles.isResultFile(nativeId)) {
			return this.results.content(fileId, nativeId);
		}
		return this.files.retrieve(nativeId)
			.map((file) -> new FileContent(JSONL, file.bytes(), this.files.content(nativeId)));
	}

	private Mono<Batch> present(JsonNode batch) {
		String id = AnthropicWire.text(batch, "id");
		Mono<Optional<KeptBatch>> kept = (id != null && OPENAI_ID.matcher(id).matches()) ? this.kept.find(this.name, id)
				: Mono.just(Optional.empty());
		return kept.map((found) -> AnthropicWire.batchFromWire(this.name, batch, found.orElse(null),
				ids((id != null) ? id : "")));
	}

	private AnthropicWire.Ids ids(String batchId) {
		return new AnthropicWire.Ids(FerryIds.mint("batch_", this.name, batchId),
				FerryIds.mint("file-", this.name, batchId + AnthropicResultFiles.OUTPUT),
				FerryIds.mint("file-", this.name, batchId + AnthropicResultFiles.ERRORS));
	}

	/** The native id of a batch id Ferry minted; any other id is taken as native. */
	private String nativeBatchId(String id) {
		return nativeId("batch_", "batch_id", id);
	}

	private String nativeFileId(String param, String id) {
		return nativeId("file-", param, id);
	}

	private String nativeId(String prefix, String param, String id) {
		String nativeId = FerryIds.decode(prefix, id)
			.filter((minted) -> minted.provider().equals(this.name))
			.map(FerryIds.Minted::nativeId)
			.orElse(id);
		return RequestParams.matching(param, nativeId, OPENAI_ID,
				"an id of provider '" + this.name + "' matching " + OPENAI_ID.pattern());
	}

}
