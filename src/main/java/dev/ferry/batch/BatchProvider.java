package dev.ferry.batch;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.http.codec.multipart.PartEvent;

/**
 * The SPI every provider adapter implements against the canonical model.
 *
 * <p>
 * Ids passed in are native ones, Ferry-minted ids decoded, and have been checked against
 * the descriptor's {@link ProviderDescriptor#idPattern() id pattern}. Failures are
 * signalled as {@link dev.ferry.batch.ApiError}s that keep the upstream's status and
 * message.
 */
public interface BatchProvider {

	/**
	 * The configured name.
	 * @return the name callers use to pick this provider
	 */
	String name();

	/**
	 * What the provider can do; Ferry refuses anything else before it goes upstream.
	 * @return the family's descriptor
	 */
	ProviderDescriptor descriptor();

	Mono<Batch> createBatch(CreateBatch request);

	/**
	 * Creates a batch from inline requests, for providers whose descriptor says they take
	 * them; for the others Ferry writes inline requests as an input file and uploads it.
	 * @param request the batch
	 * @return the created batch
	 */
	default Mono<Batch> createInlineBatch(InlineBatch request) {
		return Mono.error(new UnsupportedOperationException(name() + " takes no inline requests"));
	}

	Mono<Batch> retrieveBatch(String batchId);

	/**
	 * The providers this one is made of, for what runs beside the API (the runners of
	 * batches Ferry runs itself): by default itself alone.
	 * @return this provider, and any it hands batches to
	 */
	default java.util.List<BatchProvider> parts() {
		return java.util.List.of(this);
	}

	Mono<BatchPage> listBatches(PageQuery query);

	Mono<Batch> cancelBatch(String batchId);

	/**
	 * Deletes an ended batch. By default, for providers without a batch delete, its
	 * input, output and error files are deleted (those already gone are skipped), so that
	 * nothing of it is left to read.
	 * @param batchId the batch id
	 * @return what was deleted; a 409 while the batch can still change
	 */
	default Mono<BatchDeleted> deleteBatch(String batchId) {
		return BatchFiles.delete(this, batchId);
	}

	/**
	 * Uploads a file from multipart events, streaming its content.
	 * @param parts the form's events: {@code purpose}, {@code file} and any others
	 * @return the created file
	 */
	Mono<FileObject> uploadFile(Flux<PartEvent> parts);

	Mono<FilePage> listFiles(PageQuery query);

	Mono<FileObject> retrieveFile(String fileId);

	Mono<FileDeleted> deleteFile(String fileId);

	Mono<FileContent> fileContent(String fileId);

	/**
	 * A batch's results, as one JSONL stream in the provider's own line format. By
	 * default the output file followed by the error file.
	 * @param batchId the batch id
	 * @return the results; a 409 before the batch has ended, a 410 once they are gone
	 */
	default Mono<BatchResults> results(String batchId) {
		return FileResults.of(this, batchId);
	}

}
