package dev.ferry.batch;

import java.util.regex.Pattern;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import dev.ferry.config.ProviderType;

import org.springframework.http.codec.multipart.PartEvent;

/**
 * The SPI every provider adapter implements against the canonical model.
 *
 * <p>
 * Ids passed in have already been checked against {@link #idPattern()}. Failures are
 * signalled as {@link dev.ferry.batch.ApiError}s that keep the upstream's status and
 * message.
 */
public interface BatchProvider {

	/** The id alphabet of OpenAI-style providers. */
	Pattern OPENAI_ID = Pattern.compile("[A-Za-z0-9_-]{1,128}");

	/**
	 * The configured name.
	 * @return the name callers use to pick this provider
	 */
	String name();

	/**
	 * The wire family.
	 * @return the type
	 */
	ProviderType type();

	/**
	 * The ids this provider mints; anything else is refused before it reaches the
	 * upstream.
	 * @return the pattern an id must match whole
	 */
	default Pattern idPattern() {
		return OPENAI_ID;
	}

	Mono<Batch> createBatch(CreateBatch request);

	/**
	 * Whether the provider takes inline requests itself; otherwise Ferry writes them as
	 * an input file and uploads it.
	 * @return true for providers with inline batch creation
	 */
	default boolean takesInlineRequests() {
		return false;
	}

	/**
	 * Creates a batch from inline requests, for providers that
	 * {@link #takesInlineRequests() take them}.
	 * @param request the batch
	 * @return the created batch
	 */
	default Mono<Batch> createInlineBatch(InlineBatch request) {
		return Mono.error(new UnsupportedOperationException(name() + " takes no inline requests"));
	}

	Mono<Batch> retrieveBatch(String batchId);

	Mono<BatchPage> listBatches(PageQuery query);

	Mono<Batch> cancelBatch(String batchId);

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
