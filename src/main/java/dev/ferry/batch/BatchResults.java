package dev.ferry.batch;

import java.util.function.Supplier;
import java.util.function.UnaryOperator;

import reactor.core.publisher.Flux;

import org.springframework.core.io.buffer.DataBuffer;

/**
 * A batch whose results can be read: the batch, and how to download its results once, as
 * one JSONL stream in the provider's own line format.
 *
 * @param batch the batch, which has reached a state with results
 * @param download starts one download of the results; each call reads upstream again
 * @param customIds turns a {@code custom_id} found in the results back into the caller's
 * own, for providers where Ferry had to rewrite it
 */
public record BatchResults(Batch batch, Supplier<Flux<DataBuffer>> download, UnaryOperator<String> customIds) {

	/**
	 * Results whose {@code custom_id}s are the caller's own.
	 * @param batch the batch
	 * @param download the download
	 * @return the results
	 */
	public static BatchResults of(Batch batch, Supplier<Flux<DataBuffer>> download) {
		return new BatchResults(batch, download, UnaryOperator.identity());
	}

}
