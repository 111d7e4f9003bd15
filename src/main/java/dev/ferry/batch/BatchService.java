package dev.ferry.batch;

import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

import dev.ferry.config.FerryProperties;
import dev.ferry.dialect.RequestParams;

import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.MediaType;
import org.springframework.http.codec.multipart.FilePartEvent;
import org.springframework.http.codec.multipart.FormPartEvent;
import org.springframework.http.codec.multipart.PartEvent;
import org.springframework.stereotype.Service;

/**
 * The dialect-independent operations on batches and files: checks ids and limits, turns
 * inline requests into an input file, and attributes failures to the provider.
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
	 * Creates a batch; inline requests are first written as a JSONL file and uploaded.
	 * @param provider the provider
	 * @param body the checked body
	 * @param model the model, split from any provider prefix
	 * @return the created batch
	 */
	public Mono<Batch> create(BatchProvider provider, CreateBatchBody body, ModelRef model) {
		if (body.requests() != null && provider.takesInlineRequests()) {
			return call(provider, () -> {
				InlineRequests.check(body.requests(), body.endpoint());
				return provider.createInlineBatch(new InlineBatch(body.endpoint(), body.completionWindow(),
						model.model(), body.requests(), body.metadata()));
			});
		}
		return call(provider, () -> {
			Mono<String> inputFileId = (body.requests() != null) ? uploadInline(provider, body, model)
					: Mono.just(checkId(provider, "input_file_id", body.inputFileId()));
			return inputFileId.flatMap((fileId) -> provider.createBatch(new CreateBatch(body.endpoint(),
					body.completionWindow(), fileId, model.model(), body.metadata(), body.passthrough())));
		});
	}

	private Mono<String> uploadInline(BatchProvider provider, CreateBatchBody body, ModelRef model) {
		// Checked eagerly so that a bad request is refused before anything goes upstream.
		var jsonl = this.inlineRequests.toJsonl(body.requests(), body.endpoint(), model.model());
		Flux<PartEvent> form = Flux.concat(FormPartEvent.create("purpose", "batch"), FilePartEvent.create("file",
				"batch_requests.jsonl", MediaType.parseMediaType("application/jsonl"), jsonl));
		return provider.uploadFile(form).map(FileObject::id);
	}

	public Mono<Batch> retrieve(BatchProvider provider, String batchId) {
		return call(provider, () -> provider.retrieveBatch(checkId(provider, "batch_id", batchId)));
	}

	public Mono<BatchPage> list(BatchProvider provider, PageQuery query) {
		return call(provider, () -> provider.listBatches(query));
	}

	public Mono<Batch> cancel(BatchProvider provider, String batchId) {
		return call(provider, () -> provider.cancelBatch(checkId(provider, "batch_id", batchId)));
	}

	/**
	 * Uploads a file, streaming it, without Ferry's {@code provider} field and within the
	 * configured size limit.
	 * @param provider the provider
	 * @param events the multipart events
	 * @return the created file
	 */
	public Mono<FileObject> upload(BatchProvider provider, Flux<PartEvent> events) {
		Flux<PartEvent> forwarded = events
			.filter((event) -> !(event instanceof FormPartEvent form && form.name().equals("provider")));
		return call(provider,
				() -> provider.uploadFile(UploadForms.checked(limitFileBytes(FileParts.normalize(forwarded)))));
	}

	public Mono<FilePage> listFiles(BatchProvider provider, PageQuery query) {
		return call(provider, () -> provider.listFiles(query));
	}

	public Mono<FileObject> retrieveFile(BatchProvider provider, String fileId) {
		return call(provider, () -> provider.retrieveFile(checkId(provider, "file_id", fileId)));
	}

	public Mono<FileDeleted> deleteFile(BatchProvider provider, String fileId) {
		return call(provider, () -> provider.deleteFile(checkId(provider, "file_id", fileId)));
	}

	public Mono<FileContent> fileContent(BatchProvider provider, String fileId) {
		return call(provider, () -> provider.fileContent(checkId(provider, "file_id", fileId)));
	}

	public Mono<BatchResults> results(BatchProvider provider, String batchId) {
		return call(provider, () -> provider.results(checkId(provider, "batch_id", batchId)));
	}

	/**
	 * Runs a provider call lazily, so argument checks fail inside the stream, and
	 * attributes its failures, whatever they are, to the provider.
	 */
	private static <T> Mono<T> call(BatchProvider provider, Supplier<Mono<T>> call) {
		return Mono.defer(call).onErrorMap((error) -> ApiErrors.from(error).withProvider(provider.name()));
	}

	private Flux<PartEvent> limitFileBytes(Flux<PartEvent> events) {
		return Flux.defer(() -> {
			AtomicLong received = new AtomicLong();
			return events.handle((event, sink) -> {
				if (event instanceof FilePartEvent
						&& received.addAndGet(event.content().readableByteCount()) > this.maxUploadBytes) {
					DataBufferUtils.release(event.content());
					sink.error(ApiError.tooLarge("file: larger than the limit of " + this.maxUploadBytes
							+ " bytes (ferry.files.max-upload-size)"));
					return;
				}
				sink.next(event);
			});
		});
	}

	private static String checkId(BatchProvider provider, String name, String id) {
		return RequestParams.matching(name, id, provider.idPattern(),
				"an id of provider '" + provider.name() + "' matching " + provider.idPattern().pattern());
	}

}
