package dev.ferry.provider.sandbox;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import dev.ferry.batch.ApiError;
import dev.ferry.batch.Batch;
import dev.ferry.batch.BatchPage;
import dev.ferry.batch.BatchStatus;
import dev.ferry.batch.BatchTimes;
import dev.ferry.batch.CreateBatch;
import dev.ferry.batch.PageQuery;
import dev.ferry.batch.RequestCounts;

import org.springframework.core.io.buffer.DataBuffer;

/**
 * The sandbox's batches: created against an uploaded input file, moved through their
 * statuses by the clock, their output generated from the input when read.
 */
final class SandboxBatches {

	private static final Duration EXPIRY = Duration.ofHours(24);

	private final String provider;

	private final Duration processingTime;

	private final Clock clock;

	private final SandboxFiles files;

	private final SandboxOutput output;

	private final Map<String, SandboxBatch> batches = new ConcurrentHashMap<>();

	private final AtomicLong sequence = new AtomicLong();

	SandboxBatches(String provider, Duration processingTime, Clock clock, SandboxFiles files, SandboxOutput output) {
		this.provider = provider;
		this.processingTime = processingTime;
		this.clock = clock;
		this.files = files;
		this.output = output;
	}

	/**
	 * Creates a batch; its endpoint and window have been checked against the sandbox's
	 * descriptor.
	 */
	Mono<Batch> create(CreateBatch request) {
		SandboxFile input = this.files.get(request.inputFileId());
		if (!input.purpose().equals("batch")) {
			return Mono.error(ApiError.invalid("input_file_id", "input_file_id: " + input.id() + " has purpose '"
					+ input.purpose() + "' (expected: a file uploaded with purpose 'batch')"));
		}
		this.files.retain(input.id());
		String id = SandboxIds.mint("batch_");
		SandboxBatch batch = new SandboxBatch(id, request.endpoint(), input.id(), request.completionWindow(),
				request.metadata(), new SandboxTimeline(this.clock.instant(), this.processingTime),
				this.sequence.incrementAndGet(), this.output.validate(input.id(), request.endpoint()));
		this.batches.put(id, batch);
		// Validation starts now, as it would upstream; retrieves share its result.
		batch.validation.subscribe();
		return view(batch);
	}

	Mono<Batch> retrieve(String id) {
		return Mono.defer(() -> view(get(id)));
	}

	Mono<BatchPage> list(PageQuery query) {
		List<SandboxBatch> sorted = this.batches.values()
			.stream()
			.sorted(Comparator.comparingLong((SandboxBatch batch) -> batch.sequence).reversed())
			.toList();
		SandboxPages.Page<SandboxBatch> page = SandboxPages.after(sorted, query, (batch) -> batch.id);
		return Flux.fromIterable(page.items())
			.concatMap(this::view)
			.collectList()
			.map((batches) -> new BatchPage(batches, batches.isEmpty() ? null : batches.get(0).id(),
					batches.isEmpty() ? null : batches.get(batches.size() - 1).id(), page.hasMore(), null));
	}

	Mono<Batch> cancel(String id) {
		return Mono.defer(() -> {
			SandboxBatch batch = get(id);
			synchronized (batch) {
				BatchStatus status = batch.timeline.status(this.clock.instant(), batch.validated,
						batch.cancelRequestedAt);
				if (status.isTerminal()) {
					return Mono.error(new ApiError(409, ApiError.INVALID_REQUEST, "batch_not_cancellable",
							"Cannot cancel a batch with status '" + status.wireName() + "'.", null, this.provider));
				}
				if (batch.cancelRequestedAt == null) {
					batch.cancelRequestedAt = this.clock.instant();
				}
			}
			return view(batch);
		});
	}

	/** The content of a generated output or error file. */
	Flux<DataBuffer> content(SandboxFile file) {
		SandboxBatch batch = get(file.batchId());
		return this.output.content(batch, processed(batch), file.kind() == SandboxFile.Kind.ERRORS);
	}

	private SandboxBatch get(@Nullable String id) {
		SandboxBatch batch = (id != null) ? this.batches.get(id) : null;
		if (batch == null) {
			throw ApiError.notFound(this.provider, "No such Batch object: " + id);
		}
		return batch;
	}

	private Mono<Batch> view(SandboxBatch batch) {
		Instant now = this.clock.instant();
		BatchStatus status = batch.timeline.status(now, batch.validated, batch.cancelRequestedAt);
		if (status == BatchStatus.COMPLETED || status == BatchStatus.CANCELLED) {
			return batch.validation.then(Mono.defer(() -> batch.outputs(() -> finish(batch))))
				.map((outputs) -> toBatch(batch, status, now, outputs));
		}
		return Mono.just(toBatch(batch, status, now, null));
	}

	/** Counts the outputs once and registers the output and error files. */
	private Mono<Outputs> finish(SandboxBatch batch) {
		return this.output.count(batch, processed(batch)).map((tally) -> {
			String outputFileId = (tally.succeeded > 0)
					? register(batch, SandboxFile.Kind.OUTPUT, tally.outputBytes, "_output.jsonl") : null;
			String errorFileId = (tally.failed > 0)
					? register(batch, SandboxFile.Kind.ERRORS, tally.errorBytes, "_error.jsonl") : null;
			return new Outputs(tally.succeeded, tally.failed, tally.canceled, outputFileId, errorFileId);
		});
	}

	private String register(SandboxBatch batch, SandboxFile.Kind kind, long bytes, String suffix) {
		String id = SandboxIds.mint("file-");
		this.files.register(id, batch.id + suffix, bytes, kind, batch.id);
		return id;
	}

	private long processed(SandboxBatch batch) {
		Validation validation = batch.validated;
		if (validation == null) {
			return 0;
		}
		Instant cancel = batch.cancelRequestedAt;
		return batch.timeline.processed((cancel != null) ? cancel : this.clock.instant(), validation.total());
	}

	private Batch toBatch(SandboxBatch batch, BatchStatus status, Instant now, @Nullable Outputs outputs) {
		Validation validation = batch.validated;
		SandboxTimeline timeline = batch.timeline;
		Instant cancel = batch.cancelRequestedAt;
		boolean running = validation != null && !validation.failed() && !now.isBefore(timeline.inProgressAt());
		boolean finalizing = running && !now.isBefore(timeline.finalizingAt())
				&& (cancel == null || cancel.isAfter(timeline.finalizingAt()));
		BatchTimes times = new BatchTimes(timeline.createdAt().getEpochSecond(),
				(running && (cancel == null || cancel.isAfter(timeline.inProgressAt())))
						? seconds(timeline.inProgressAt()) : null,
				seconds(timeline.createdAt().plus(EXPIRY)), finalizing ? seconds(timeline.finalizingAt()) : null,
				(status == BatchStatus.COMPLETED) ? seconds(timeline.completedAt()) : null,
				(status == BatchStatus.FAILED) ? seconds(timeline.inProgressAt()) : null, null,
				(cancel != null) ? seconds(cancel) : null,
				(status == BatchStatus.CANCELLED) ? seconds(timeline.cancelledAt(cancel)) : null, null);
		return new Batch(batch.id, this.provider, batch.endpoint, (validation != null) ? validation.model() : null,
				batch.inputFileId, batch.completionWindow, status, status.wireName(),
				counts(batch, status, validation, outputs), batch.metadata, times,
				(outputs != null) ? outputs.outputFileId() : null, (outputs != null) ? outputs.errorFileId() : null,
				(status == BatchStatus.FAILED) ? validation.errors() : List.of(), null, null, null, null);
	}

	private RequestCounts counts(SandboxBatch batch, BatchStatus status, @Nullable Validation validation,
			@Nullable Outputs outputs) {
		if (outputs != null) {
			long total = outputs.succeeded() + outputs.failed();
			return new RequestCounts(total, outputs.succeeded(), outputs.failed(), outputs.succeeded(), 0,
					outputs.canceled(), 0);
		}
		if (validation == null || status == BatchStatus.FAILED || validation.total() == 0) {
			return RequestCounts.of((validation != null) ? validation.total() : 0, 0, 0);
		}
		// Live counts are spread evenly: exact counts come once the batch has finished.
		long processed = processed(batch);
		long failed = processed * validation.requestErrors() / validation.total();
		return RequestCounts.of(validation.total(), processed - failed, failed);
	}

	private static Long seconds(Instant instant) {
		return instant.getEpochSecond();
	}

}
