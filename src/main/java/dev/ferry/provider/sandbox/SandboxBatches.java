package dev.ferry.provider.sandbox;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

import dev.ferry.batch.ApiError;
import dev.ferry.batch.Batch;
import dev.ferry.batch.BatchPage;
import dev.ferry.batch.BatchStatus;
import dev.ferry.batch.BatchTimes;
import dev.ferry.batch.CreateBatch;
import dev.ferry.batch.PageQuery;
import dev.ferry.batch.RequestCounts;
import dev.ferry.storage.BlobStore;

import org.springframework.core.io.buffer.DataBuffer;

/**
 * The sandbox's batches: created against an uploaded input file, moved through their
 * statuses by the clock, their output generated from the input when read.
 */
final class SandboxBatches {

	private static final Duration EXPIRY = Duration.ofHours(24);

	private static final int KNOWN_BATCHES = 10_000;

	private final String provider;

	private final Duration processingTime;

	private final Clock clock;

	private final SandboxFiles files;

	private final SandboxOutput output;

	private final SandboxRecords<SandboxBatchRecord> records;

	private final BlobStore blobs;

	private final String cancels;

	/**
	 * The batches this replica served lately, with their validations and outputs; one
	 * evicted is read from the store and worked out again.
	 */
	private final Cache<String, SandboxBatch> known = Caffeine.newBuilder().maximumSize(KNOWN_BATCHES).build();

	SandboxBatches(String provider, Duration processingTime, Clock clock, SandboxFiles files, SandboxOutput output,
			BlobStore blobs, JsonMapper mapper) {
		this.provider = provider;
		this.processingTime = processingTime;
		this.clock = clock;
		this.files = files;
		this.output = output;
		this.blobs = blobs;
		this.records = new SandboxRecords<>(blobs, mapper, "sandbox/" + provider + "/batches",
				SandboxBatchRecord.class);
		this.cancels = "sandbox/" + provider + "/cancels/";
	}

	/**
	 * Creates a batch; its endpoint and window have been checked against the sandbox's
	 * descriptor.
	 */
	Mono<Batch> create(CreateBatch request) {
		return this.files.get(request.inputFileId()).flatMap((input) -> {
			if (!input.purpose().equals("batch")) {
				return Mono.error(ApiError.invalid("input_file_id", "input_file_id: " + input.id() + " has purpose '"
						+ input.purpose() + "' (expected: a file uploaded with purpose 'batch')"));
			}
			SandboxBatchRecord record = new SandboxBatchRecord(SandboxIds.mint("batch_"), request.endpoint(),
					input.id(), request.completionWindow(), request.metadata(), this.clock.millis());
			return this.files.retain(input.id()).then(this.records.create(record.id(), record)).flatMap((kept) -> {
				SandboxBatch batch = known(kept);
				// Validation starts now, as it would upstream; retrieves share its
				// result.
				batch.validation.subscribe();
				return view(batch);
			});
		});
	}

	Mono<Batch> retrieve(String id) {
		return get(id).flatMap(this::settled);
	}

	Mono<BatchPage> list(PageQuery query) {
		return this.records.all()
			.sort(Comparator.comparingLong(SandboxBatchRecord::createdAt)
				.thenComparing(SandboxBatchRecord::id)
				.reversed())
			.collectList()
			.flatMap((sorted) -> {
				SandboxPages.Page<SandboxBatchRecord> page = SandboxPages.after(sorted, query, SandboxBatchRecord::id);
				return Flux.fromIterable(page.items())
					.concatMap((record) -> settled(known(record)))
					.collectList()
					.map((batches) -> new BatchPage(batches, batches.isEmpty() ? null : batches.get(0).id(),
							batches.isEmpty() ? null : batches.get(batches.size() - 1).id(), page.hasMore(), null));
			});
	}

	Mono<Batch> cancel(String id) {
		return get(id).flatMap(this::withCancel).flatMap((batch) -> {
			BatchStatus status = batch.timeline.status(this.clock.instant(), batch.validated, batch.cancelRequestedAt);
			if (status.isTerminal()) {
				return Mono.error(new ApiError(409, ApiError.INVALID_REQUEST, "batch_not_cancellable",
						"Cannot cancel a batch with status '" + status.wireName() + "'.", null, this.provider));
			}
			if (batch.cancelRequestedAt != null) {
				return view(batch);
			}
			// The first cancel request of any replica is the one kept.
			byte[] at = Long.toString(this.clock.millis()).getBytes(StandardCharsets.US_ASCII);
			return this.blobs.create(this.cancels + id, at).then(withCancel(batch)).flatMap(this::view);
		});
	}

	/** The content of a generated output or error file. */
	Flux<DataBuffer> content(SandboxFile file) {
		// Validated first: how many requests ran follows from the input's size.
		return get(file.batchId()).flatMap(this::withCancel)
			.flatMap((batch) -> batch.validation.thenReturn(batch))
			.flatMapMany(
					(batch) -> this.output.content(batch, processed(batch), file.kind() == SandboxFile.Kind.ERRORS));
	}

	private Mono<SandboxBatch> get(@Nullable String id) {
		SandboxBatch cached = (id != null) ? this.known.getIfPresent(id) : null;
		Mono<SandboxBatch> found = (cached != null) ? Mono.just(cached)
				: (id != null) ? this.records.get(id).map(this::known) : Mono.empty();
		return found.switchIfEmpty(Mono.error(() -> ApiError.notFound(this.provider, "No such Batch object: " + id)));
	}

	private SandboxBatch known(SandboxBatchRecord record) {
		return this.known.get(record.id(),
				(id) -> new SandboxBatch(id, record.endpoint(), record.inputFileId(), record.completionWindow(),
						record.metadata(),
						new SandboxTimeline(Instant.ofEpochMilli(record.createdAt()), this.processingTime),
						this.output.validate(record.inputFileId(), record.endpoint())));
	}

	/** Reads the batch's cancel request, which any replica may have made. */
	private Mono<SandboxBatch> withCancel(SandboxBatch batch) {
		if (batch.cancelRequestedAt != null) {
			return Mono.just(batch);
		}
		return this.blobs.get(this.cancels + batch.id)
			.doOnNext((found) -> batch.cancelRequestedAt = Instant
				.ofEpochMilli(Long.parseLong(new String(found.bytes(), StandardCharsets.US_ASCII))))
			.thenReturn(batch);
	}

	/**
	 * The batch as any replica would show it: validated first when the replica has just
	 * learned of it, so no replica shows it further back than another.
	 */
	private Mono<Batch> settled(SandboxBatch batch) {
		return withCancel(batch).flatMap((known) -> (known.validated != null) ? view(known)
				: known.validation.then(Mono.defer(() -> view(known))));
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
		return this.output.count(batch, processed(batch)).flatMap((tally) -> {
			Mono<String> outputFileId = (tally.succeeded > 0)
					? register(batch, SandboxFile.Kind.OUTPUT, tally.outputBytes, "_output.jsonl") : Mono.just("");
			Mono<String> errorFileId = (tally.failed > 0)
					? register(batch, SandboxFile.Kind.ERRORS, tally.errorBytes, "_error.jsonl") : Mono.just("");
			return Mono.zip(outputFileId, errorFileId)
				.map((ids) -> new Outputs(tally.succeeded, tally.failed, tally.canceled, emptyToNull(ids.getT1()),
						emptyToNull(ids.getT2())));
		});
	}

	/**
	 * Registers a generated file under an id derived from the batch, so that replicas
	 * finishing the same batch register the same file.
	 */
	private Mono<String> register(SandboxBatch batch, SandboxFile.Kind kind, long bytes, String suffix) {
		String id = SandboxIds.derived("file-", batch.id + suffix);
		return this.files.register(id, batch.id + suffix, bytes, kind, batch.id).map(SandboxFile::id);
	}

	private static @Nullable String emptyToNull(String id) {
		return id.isEmpty() ? null : id;
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
