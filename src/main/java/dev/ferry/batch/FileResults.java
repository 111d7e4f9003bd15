package dev.ferry.batch;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;
import java.util.stream.Stream;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;

/**
 * The results of an OpenAI-format batch: its output file followed by its error file, so
 * that errored, expired and cancelled requests are results too.
 */
public final class FileResults {

	private FileResults() {
	}

	/**
	 * Finds a batch and how to read its results.
	 * @param provider the provider
	 * @param batchId the batch id
	 * @return the results; a 409 naming the status while the batch can still change or if
	 * it failed, a 410 once its files are gone upstream
	 */
	public static Mono<BatchResults> of(BatchProvider provider, String batchId) {
		return provider.retrieveBatch(batchId).map((batch) -> {
			requireEnded(batch);
			List<String> files = Stream.of(batch.outputFileId(), batch.errorFileId()).filter(Objects::nonNull).toList();
			return BatchResults.of(batch,
					() -> Flux.fromIterable(files)
						.concatMap((fileId) -> provider.fileContent(fileId)
							.flatMapMany(FileContent::body)
							// The output file may lack a final newline; one keeps its
							// last line apart.
							.concatWith(Mono.fromSupplier(FileResults::newline)))
						.onErrorMap(ApiError.class, (error) -> gone(error, batch)));
		});
	}

	/**
	 * Refuses results of a batch that has none yet, or never will.
	 * @param batch the batch
	 * @throws ApiError 409 naming the status
	 */
	public static void requireEnded(Batch batch) {
		if (batch.status() == BatchStatus.FAILED) {
			throw new ApiError(409, ApiError.INVALID_REQUEST, "batch_failed",
					"batch " + batch.id() + " is failed: it has no results (see the batch's errors for why it failed)",
					null, null);
		}
		if (!batch.status().isTerminal()) {
			throw new ApiError(409, ApiError.INVALID_REQUEST, "batch_not_ended", "batch " + batch.id() + " is "
					+ batch.status().wireName() + ": results are available once it is completed, expired or cancelled",
					null, null);
		}
	}

	/**
	 * A 410 in place of the upstream's 404 for results it no longer has.
	 * @param error the upstream error
	 * @param batch the batch whose results were read
	 * @return the error to report
	 */
	public static ApiError gone(ApiError error, Batch batch) {
		return (error.status() != 404) ? error : gone(batch, error.getMessage());
	}

	/**
	 * The 410 for results a provider no longer has.
	 * @param batch the batch whose results were asked for
	 * @param why what the provider said or shows
	 * @return the error
	 */
	public static ApiError gone(Batch batch, String why) {
		return new ApiError(
				410, ApiError.INVALID_REQUEST, "results_gone", "the results of batch " + batch.id()
						+ " are no longer available from provider '" + batch.provider() + "' (" + why + ")",
				null, batch.provider());
	}

	private static DataBuffer newline() {
		return DefaultDataBufferFactory.sharedInstance.wrap("\n".getBytes(StandardCharsets.US_ASCII));
	}

}
