package dev.ferry.batch;

import java.util.Objects;
import java.util.function.Function;
import java.util.stream.Stream;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * A batch as its files, for providers that have files but no batch delete: deleting an
 * ended batch deletes its input, output and error files.
 */
public final class BatchFiles {

	private BatchFiles() {
	}

	static Mono<BatchDeleted> delete(BatchProvider provider, String batchId) {
		return delete(provider, batchId,
				(batch) -> Stream.of(batch.inputFileId(), batch.outputFileId(), batch.errorFileId()));
	}

	/**
	 * Deletes the files of an ended batch, skipping those already gone.
	 * @param provider the provider
	 * @param batchId the batch
	 * @param files the batch's files to delete, by the ids the batch shows
	 * @return what was deleted; a 409 while the batch can still change
	 */
	public static Mono<BatchDeleted> delete(BatchProvider provider, String batchId,
			Function<Batch, Stream<@Nullable String>> files) {
		return provider.retrieveBatch(batchId).flatMap((batch) -> {
			if (!batch.status().isTerminal()) {
				return Mono.error(new ApiError(409, ApiError.INVALID_REQUEST, "batch_not_ended", "batch " + batchId
						+ " is " + batch.status().wireName() + ": it can be deleted once it has ended", null, null));
			}
			return Flux.fromStream(files.apply(batch).filter(Objects::nonNull))
				.concatMap((fileId) -> provider.deleteFile(FerryIds.nativeId(provider, "file_id", fileId))
					.onErrorResume(ApiError.class,
							(error) -> (error.status() == 404) ? Mono.empty() : Mono.error(error)))
				.then(Mono.just(new BatchDeleted(batchId, true, null)));
		});
	}

}
