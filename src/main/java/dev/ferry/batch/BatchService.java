package dev.ferry.batch;

import java.util.function.Supplier;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

import dev.ferry.config.FerryProperties;

import org.springframework.http.MediaType;
import org.springframework.http.codec.multipart.FilePartEvent;
import org.springframework.http.codec.multipart.FormPartEvent;
import org.springframework.http.codec.multipart.PartEvent;
import org.springframework.stereotype.Service;

/**
 * The dialect-independent operations on batches and files: decodes the ids callers send
 * into the provider's native ones, refuses what the provider's descriptor excludes before
 * anything goes upstream, turns inline requests into an input file for providers that
 * take none, and attributes failures to the provider.
 */
@Service
public class BatchService {

	private final InlineRequests inlineRequests;

	private final long maxUploadBytes;

	public BatchService(JsonMapper mapper, FerryProperties properties) {
		this.inlineRequests = new InlineRequests(mapper);
		this.maxUploadBytes = properties.files().maxUploadSize().toBytes();
	}

	/**
	 * Creates a batch; for a provider that takes no inline requests, inline ones are
	 * first written as a JSONL file and uploaded.
	 * @param provider the provider
	 * @param body the checked body
	 * @param model the model, split from any provider prefix
	 * @return the created batch
	 */
	public Mono<Batch> create(BatchProvider provider, CreateBatchBody body, ModelRef model) {
		return call(provider, () -> {
			ProviderDescriptor descriptor = provider.descriptor();
			descriptor.checkEndpoint(provider.name(), body.endpoint());
			descriptor.checkWindow(provider.name(), body.completionWindow());
			descriptor.checkCreateFields(provider.name(), body.passthrough());
			if (body.requests() == null) {
				return createFromFile(provider, body, model, nativeId(provider, "input_file_id", body.inputFileId()));
			}
			InlineRequests.check(body.requests(), body.endpoint());
			descriptor.checkRequestCount(provider.name(), body.requests().size(), "requests");
			if (descriptor.inlineRequests()) {
				return provider.createInlineBatch(new InlineBatch(body.endpoint(), body.completionWindow(),
						model.model(), body.requests(), body.metadata()));
			}
			return uploadInline(provider, body, model).flatMap(
					(fileId) -> createFromFile(provider, body, model, nativeId(provider, "input_file_id", fileId)));
		});
	}

	private Mono<Batch> createFromFile(BatchProvider provider, CreateBatchBody body, ModelRef model, String fileId) {
		return provider.createBatch(new CreateBatch(body.endpoint(), body.completionWindow(), fileId, model.model(),
				body.metadata(), body.passthrough()));
	}

	private Mono<String> uploadInline(BatchProvider provider, CreateBatchBody body, ModelRef model) {
		var jsonl = this.inlineRequests.toJsonl(body.requests(), body.endpoint(), model.model());
		Flux<PartEvent> form = Flux.concat(FormPartEvent.create("purpose", "batch"), FilePartEvent.create("file",
				"batch_requests.jsonl", MediaType.parseMediaType("application/jsonl"), jsonl));
		return provider.uploadFile(form).map(FileObject::id);
	}

	public Mono<Batch> retrieve(BatchProvider provider, String batchId) {
		return call(provider, () -> provider.retrieveBatch(nativeId(provider, "batch_id", batchId)));
	}

	public Mono<BatchPage> list(BatchProvider provider, PageQuery query) {
		return call(provider, () -> provider.listBatches(nativeAfter(provider, query)));
	}

	public Mono<Batch> cancel(BatchProvider provider, String batchId) {
		return call(provider, () -> provider.cancelBatch(nativeId(provider, "batch_id", batchId)));
	}

	public Mono<BatchDeleted> deleteBatch(BatchProvider provider, String batchId) {
		return call(provider, () -> provider.deleteBatch(nativeId(provider, "batch_id", batchId)));
	}

	/**
	 * Uploads a file, streaming it, without Ferry's {@code provider} field. What the
	 * fields before the file show is checked before anything goes upstream; the rest, and
	 * the size and line limits, as the file streams.
	 * @param provider the provider
	 * @param form the upload form
	 * @return the created file
	 */
	public Mono<FileObject> upload(BatchProvider provider, UploadForm form) {
		return call(provider, () -> {
			UploadForms.checkLeading(provider, form);
			Flux<PartEvent> forwarded = form.events()
				.filter((event) -> !(event instanceof FormPartEvent field && field.name().equals("provider")));
			return provider
				.uploadFile(UploadForms.checked(provider, this.maxUploadBytes, FileParts.normalize(forwarded)));
		});
	}

	public Mono<FilePage> listFiles(BatchProvider provider, PageQuery query) {
		return call(provider, () -> provider.listFiles(nativeAfter(provider, query)));
	}

	public Mono<FileObject> retrieveFile(BatchProvider provider, String fileId) {
		return call(provider, () -> provider.retrieveFile(nativeId(provider, "file_id", fileId)));
	}

	public Mono<FileDeleted> deleteFile(BatchProvider provider, String fileId) {
		return call(provider, () -> provider.deleteFile(nativeId(provider, "file_id", fileId)));
	}

	public Mono<FileContent> fileContent(BatchProvider provider, String fileId) {
		return call(provider, () -> provider.fileContent(nativeId(provider, "file_id", fileId)));
	}

	public Mono<BatchResults> results(BatchProvider provider, String batchId) {
		return call(provider, () -> provider.results(nativeId(provider, "batch_id", batchId)));
	}

	/**
	 * Runs a provider call lazily, so argument checks fail inside the stream, and
	 * attributes its failures, whatever they are, to the provider.
	 */
	private static <T> Mono<T> call(BatchProvider provider, Supplier<Mono<T>> call) {
		return Mono.defer(call).onErrorMap((error) -> ApiErrors.from(error).withProvider(provider.name()));
	}

	private static PageQuery nativeAfter(BatchProvider provider, PageQuery query) {
		return (query.after() != null) ? query.withAfter(nativeId(provider, "after", query.after())) : query;
	}

	private static String nativeId(BatchProvider provider, String param, String id) {
		return FerryIds.nativeId(provider, param, id);
	}

}
