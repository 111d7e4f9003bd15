package dev.ferry.provider.sandbox;

import java.time.Instant;
import java.util.Map;
import java.util.function.Supplier;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

/**
 * One sandbox batch as this replica knows it: what it was created with, plus the little
 * state that changes (its validation, a cancel request and, once finished, its counted
 * outputs). Its validation and outputs are worked out from its input on each replica that
 * serves it; its cancel request comes from the store.
 */
final class SandboxBatch {

	final String id;

	final String endpoint;

	final String inputFileId;

	final String completionWindow;

	final @Nullable Map<String, String> metadata;

	final SandboxTimeline timeline;

	/** Runs once, in the background from creation on; later subscribers share it. */
	final Mono<Validation> validation;

	volatile @Nullable Validation validated;

	volatile @Nullable Instant cancelRequestedAt;

	private volatile @Nullable Mono<Outputs> outputs;

	SandboxBatch(String id, String endpoint, String inputFileId, String completionWindow,
			@Nullable Map<String, String> metadata, SandboxTimeline timeline, Mono<Validation> validation) {
		this.id = id;
		this.endpoint = endpoint;
		this.inputFileId = inputFileId;
		this.completionWindow = completionWindow;
		this.metadata = metadata;
		this.timeline = timeline;
		this.validation = validation.doOnNext((result) -> this.validated = result).cache();
	}

	/**
	 * The outputs, counted once by the first caller; concurrent callers share the count.
	 * @param count counts the outputs
	 * @return the outputs
	 */
	synchronized Mono<Outputs> outputs(Supplier<Mono<Outputs>> count) {
		if (this.outputs == null) {
			this.outputs = count.get().cache();
		}
		return this.outputs;
	}

}
