package dev.ferry.provider.executed;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import com.github.benmanes.caffeine.cache.Cache;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import com.github.benmanes.caffeine.cache.Caffeine;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

import dev.ferry.batch.ApiError;
import dev.ferry.batch.Batch;
import dev.ferry.batch.BatchDeleted;
import dev.ferry.batch.BatchError;
import dev.ferry.batch.BatchFiles;
import dev.ferry.batch.BatchPage;
import dev.ferry.batch.BatchProvider;
import dev.ferry.batch.BatchResults;
import dev.ferry.batch.BatchStatus;
import dev.ferry.batch.BatchTimes;
import dev.ferry.batch.CompletionWindows;
import dev.ferry.batch.CreateBatch;
import dev.ferry.batch.FerryIds;
import dev.ferry.batch.FileContent;
import dev.ferry.batch.FileDeleted;
import dev.ferry.batch.FileObject;
import dev.ferry.batch.FilePage;
import dev.ferry.batch.FileResults;
import dev.ferry.batch.PageQuery;
import dev.ferry.batch.ProviderDescriptor;
import dev.ferry.batch.RandomIds;
import dev.ferry.batch.RequestCounts;
import dev.ferry.batch.ResultFiles;
import dev.ferry.files.CheckedRequests;
import dev.ferry.files.HeldFiles;
import dev.ferry.files.InputLines;
import dev.ferry.files.InputRequest;
import dev.ferry.provider.executed.ExecutedStore.Counts;
import dev.ferry.provider.executed.ExecutedStore.Plan;
import dev.ferry.results.JsonLine;
import dev.ferry.results.JsonLines;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.MediaType;
import org.springframework.http.codec.multipart.PartEvent;

/**
 * A provider whose batches Ferry runs itself, against its synchronous API. Ferry holds
 * the input files; a create checks every line (envelope, endpoint, one model), then
 * writes the batch's plan (its chunks and where each starts in the file) to the blob
 * store, where every replica's {@link ChunkRunner} finds it. The batch's state is read
 * from the store: its committed chunks, their counts, and the cancel and expiry markers.
 * Results are the committed chunks in order, as OpenAI output and error files.
 */
public final class ExecutedProvider implements BatchProvider {

	private static final MediaType JSONL = MediaType.parseMediaType("application/jsonl");

	private static final Log logger = LogFactory.getLog(ExecutedProvider.class);

	private final String name;

	private final ProviderDescriptor descriptor;

	private final HeldFiles files;

	private final ExecutedStore store;

	private final InputLines lines;

	private final LineCaller caller;

	private final ExecutedProperties settings;

	private final Throttle throttle;

	private final java.util.concurrent.atomic.AtomicInteger replicas;

	private final int maxLineBytes;

	private final JsonMapper mapper;

	private final Clock clock;

	private final java.util.concurrent.atomic.AtomicLong sequence = new java.util.concurrent.atomic.AtomicLong();

	/** Committed chunks' counts, which never change. */
	private final Cache<String, Counts> counts = Caffeine.newBuilder().maximumSize(100_000).build();

	ExecutedProvider(String name, ProviderDescriptor descriptor, HeldFiles files, ExecutedStore store,
			LineCaller caller, ExecutedProperties settings, Throttle throttle,
			java.util.concurrent.atomic.AtomicInteger replicas, int maxLineBytes, JsonMapper mapper, Clock clock) {
		this.name = name;
		this.descriptor = descriptor;
		this.files = files;
		this.store = store;
		this.lines = new InputLines(name, mapper, maxLineBytes);
		this.caller = caller;
		this.settings = settings;
		this.throttle = throttle;
		this.replicas = replicas;
		this.maxLineBytes = maxLineBytes;
		this.mapper = mapper;
		this.clock = clock;
	}

	@Override
	public String name() {
		return this.name;
	}

	@Override
	public ProviderDescriptor descriptor() {
		return this.descriptor;
	}

	ExecutedStore store() {
		return this.store;
	}

	HeldFiles files() {
		return this.files;
	}

	LineCaller caller() {
		return this.caller;
	}

	/** The most lines one chunk may have waiting for the provider's throttle. */
	int maxConcurrency() {
		return this.throttle.ceiling();
	}

	/** How many replicas share the provider's limits, as the runner last counted. */
	void replicas(int alive) {
		this.replicas.set(alive);
	}

	InputLines lines() {
		return this.lines;
	}

	int maxLineBytes() {
		return this.maxLineBytes;
	}

	/**
	 * Plans the batch: one pass over the input file checks every line and notes where
	 * each chunk starts; nothing is sent until a runner claims a chunk.
	 */
	@Override
	public Mono<Batch> createBatch(CreateBatch request) {
		String fileId = request.inputFileId();
		if (!fileId.startsWith(HeldFiles.NATIVE_PREFIX)) {
			return Mono.error(ApiError.invalid("input_file_id",
					"input_file_id: '" + fileId + "' is not an input file uploaded to provider '" + this.name + "'"));
		}
		int chunkSize = this.settings.chunkSize();
		Planning planning = new Planning(request.model());
		return this.files.retrieve(fileId)
			.thenMany(JsonLines.frame(this.files.content(fileId), this.maxLineBytes))
			.doOnNext((line) -> {
				planning.add(this.lines.request(line, request.endpoint()), line, chunkSize, this.name);
			})
			.then(Mono.defer(() -> {
				CheckedRequests checked = planning.checked;
				checked.requireRequests(this.name);
				this.descriptor.checkRequestCount(this.name, checked.count(), "input_file_id");
				long now = this.clock.millis() / 1000;
				// Ids sort by creation: time, then this replica's sequence within a
				// millisecond.
				String id = "exec-"
						+ String.format("%012x-%04x", this.clock.millis(), this.sequence.getAndIncrement() & 0xffff)
						+ "-" + RandomIds.hex(4);
				Plan plan = new Plan(id, request.endpoint(), checked.model(), fileId, request.completionWindow(),
						request.metadata(), now, now + CompletionWindows.seconds(request.completionWindow()),
						checked.count(), List.copyOf(planning.offsets), chunkSize);
				return this.store.create(this.name, plan)
					.doOnSuccess((created) -> logger.info("Executed batch " + id + " of provider '" + this.name
							+ "' planned: " + plan.lines() + " lines in " + plan.chunks() + " chunks"))
					.then(present(plan));
			}));
	}

	@Override
	public Mono<Batch> retrieveBatch(String batchId) {
		return plan(batchId).flatMap(this::present);
	}

	private Mono<Plan> plan(String batchId) {
		return this.store.plan(this.name, batchId)
			.switchIfEmpty(Mono.error(() -> ApiError.notFound(this.name,
					"No such Batch object: " + FerryIds.mint("batch_", this.name, batchId))));
	}

	@Override
	public Mono<BatchPage> listBatches(PageQuery query) {
		String after = query.after();
		return this.store.batches(this.name)
			.filter((id) -> after == null || id.compareTo(after) < 0)
			.take(query.limit() + 1L)
			.concatMap((id) -> this.store.plan(this.name, id))
			.concatMap(this::present)
			.collectList()
			.map((batches) -> {
				List<Batch> data = batches.subList(0, Math.min(query.limit(), batches.size()));
				return new BatchPage(data, data.isEmpty() ? null : data.get(0).id(),
						data.isEmpty() ? null : data.get(data.size() - 1).id(), batches.size() > query.limit(), null);
			});
	}

	/** Stops dispatching: runners see the marker within a poll interval. */
	@Override
	public Mono<Batch> cancelBatch(String batchId) {
		return plan(batchId).flatMap((plan) -> this.store.mark(this.name, batchId, "cancel", this.clock.millis() / 1000)
			.doOnSuccess((marked) -> logger.info("Executed batch " + batchId + " of provider '" + this.name
					+ "' is cancelling: a cancel was asked for"))
			.then(present(plan)));
	}

	/** Deletes an ended batch: its input file, then everything Ferry kept of its run. */
	@Override
	public Mono<BatchDeleted> deleteBatch(String batchId) {
		return BatchFiles.delete(this, batchId, (batch) -> Stream.of(batch.inputFileId()))
			.flatMap((deleted) -> this.store.delete(this.name, batchId).thenReturn(deleted));
	}

	@Override
	public Mono<BatchResults> results(String batchId) {
		return retrieveBatch(batchId).map((batch) -> {
			FileResults.requireEnded(batch);
			return BatchResults.of(batch, () -> allResults(batchId));
		});
	}

	/**
	 * The committed chunks' lines, in chunk order: all of them once the batch has ended,
	 * those committed so far while it runs, and those that ran before a failure.
	 */
	private Flux<DataBuffer> allResults(String batchId) {
		return this.store.committed(this.name, batchId)
			.sort()
			.concatMap((chunk) -> this.store.results(this.name, batchId, chunk));
	}

	@Override
	public Mono<FileObject> uploadFile(Flux<PartEvent> parts) {
		return this.files.upload(parts);
	}

	@Override
	public Mono<FilePage> listFiles(PageQuery query) {
		return this.files.list(query);
	}

	@Override
	public Mono<FileObject> retrieveFile(String fileId) {
		if (!ResultFiles.isResultFile(fileId)) {
			return this.files.retrieve(fileId);
		}
		return retrieveBatch(ResultFiles.batchId(fileId))
			.onErrorMap(ApiError.class,
					(error) -> (error.status() == 404) ? ResultFiles.notFound(this.name, fileId) : error)
			.map((batch) -> {
				Long ended = ended(batch.times());
				return ResultFiles.file(this.name, fileId, (ended != null) ? ended : batch.times().createdAt());
			});
	}

	@Override
	public Mono<FileDeleted> deleteFile(String fileId) {
		if (ResultFiles.isResultFile(fileId)) {
			return Mono.error(ApiError.invalid("file_id", "file_id: '" + ResultFiles.publicId(this.name, fileId)
					+ "' is the results of a batch; delete the batch instead"));
		}
		return this.files.delete(fileId);
	}

	/**
	 * A result file: the lines of the chunks committed so far that belong in it, so the
	 * file can be read while the batch runs.
	 */
	@Override
	public Mono<FileContent> fileContent(String fileId) {
		if (!ResultFiles.isResultFile(fileId)) {
			return this.files.fileContent(fileId);
		}
		boolean output = ResultFiles.isOutput(fileId);
		String batchId = ResultFiles.batchId(fileId);
		return plan(batchId)
			.onErrorMap(ApiError.class,
					(error) -> (error.status() == 404) ? ResultFiles.notFound(this.name, fileId) : error)
			.map((plan) -> new FileContent(JSONL, -1,
					JsonLines.frame(allResults(batchId), this.maxLineBytes)
						.filter((line) -> succeeded(line.bytes()) == output)
						.map((line) -> JsonLines.line(line.bytes()))));
	}

	private boolean succeeded(byte[] line) {
		return Counts.ofLine(this.mapper.readTree(line)).succeeded() == 1;
	}

	/** The batch as the store shows it now. */
	Mono<Batch> present(Plan plan) {
		Mono<List<Counts>> committed = this.store.committed(this.name, plan.id())
			.concatMap((chunk) -> countsOf(plan.id(), chunk))
			.collectList();
		return Mono
			.zip(committed, marker(plan, "cancel"), marker(plan, "expired"), marker(plan, "ended"),
					marker(plan, "failed"), this.store.leased(this.name, plan.id()))
			.map((found) -> toBatch(plan, found.getT1(), new Markers(found.getT2().orElse(null),
					found.getT3().orElse(null), found.getT4().orElse(null), found.getT5().orElse(null)),
					found.getT6()));
	}

	private Mono<java.util.Optional<Long>> marker(Plan plan, String marker) {
		return this.store.marked(this.name, plan.id(), marker)
			.map(java.util.Optional::of)
			.defaultIfEmpty(java.util.Optional.empty());
	}

	private Mono<Counts> countsOf(String batchId, int chunk) {
		String key = batchId + "/" + chunk;
		Counts cached = this.counts.getIfPresent(key);
		return (cached != null) ? Mono.just(cached)
				: this.store.counts(this.name, batchId, chunk).doOnNext((found) -> this.counts.put(key, found));
	}

	/**
	 * The batch's status: {@code validating} until a chunk is claimed,
	 * {@code in_progress} while chunks run, {@code finalizing} once every chunk is
	 * committed until a runner has closed the batch, then how it ended;
	 * {@code cancelling} from a cancel to the end; {@code failed} when its input file
	 * went before every chunk had run.
	 */
	private Batch toBatch(Plan plan, List<Counts> committed, Markers markers, boolean leased) {
		Counts sum = committed.stream().reduce(Counts.NONE, Counts::plus);
		boolean allDone = committed.size() == plan.chunks();
		boolean closed = allDone && markers.ended() != null;
		BatchStatus status;
		if (markers.failed() != null) {
			status = BatchStatus.FAILED;
		}
		else if (closed) {
			status = (markers.cancel() != null) ? BatchStatus.CANCELLED
					: (markers.expired() != null) ? BatchStatus.EXPIRED : BatchStatus.COMPLETED;
		}
		else if (markers.cancel() != null) {
			status = BatchStatus.CANCELLING;
		}
		else if (allDone) {
			status = BatchStatus.FINALIZING;
		}
		else {
			status = (committed.isEmpty() && !leased) ? BatchStatus.VALIDATING : BatchStatus.IN_PROGRESS;
		}
		long failed = sum.failed() + sum.cancelled() + sum.expired();
		RequestCounts counts = new RequestCounts(plan.lines(), sum.succeeded(), failed, sum.succeeded(), sum.expired(),
				sum.cancelled(), plan.lines() - sum.total());
		Long end = closed ? markers.ended() : null;
		BatchTimes times = new BatchTimes(plan.createdAt(),
				(status == BatchStatus.VALIDATING) ? null : plan.createdAt(), plan.deadline(), end,
				(status == BatchStatus.COMPLETED) ? end : null, markers.failed(),
				(status == BatchStatus.EXPIRED) ? end : null, markers.cancel(),
				(status == BatchStatus.CANCELLED) ? end : null, null);
		boolean ended = status.isTerminal();
		// While chunks land, both files are there to read, holding what has been
		// committed; once ended, only a file with lines is named, as on OpenAI.
		boolean running = !ended && !committed.isEmpty();
		List<BatchError> errors = (markers.failed() != null) ? List.of(new BatchError("input_file_missing",
				"The input file " + this.files.publicId(plan.inputFileId())
						+ " was deleted before every request had run; the requests that had not run are not in "
						+ "the output or error file.",
				"input_file_id", null)) : List.of();
		return new Batch(FerryIds.mint("batch_", this.name, plan.id()), this.name, plan.endpoint(), plan.model(),
				this.files.publicId(plan.inputFileId()), plan.completionWindow(), status,
				closed ? "ended" : (leased || !committed.isEmpty()) ? "running" : "queued", counts, plan.metadata(),
				times, (running || ended && sum.succeeded() > 0) ? ResultFiles.output(this.name, plan.id()) : null,
				(running || ended && failed > 0) ? ResultFiles.errors(this.name, plan.id()) : null, errors, null, null,
				null, null);
	}

	private static Long ended(BatchTimes times) {
		return Stream.of(times.completedAt(), times.expiredAt(), times.cancelledAt())
			.filter(java.util.Objects::nonNull)
			.findFirst()
			.orElse(null);
	}

	/** The markers a batch's run leaves in the store, as Unix seconds. */
	private record Markers(@Nullable Long cancel, @Nullable Long expired, @Nullable Long ended, @Nullable Long failed) {
	}

	/**
	 * What the checking pass learns: the requests checked so far, and where each chunk
	 * starts in the input file.
	 */
	private static final class Planning {

		private final List<Long> offsets = new ArrayList<>();

		private CheckedRequests checked;

		private long lastEnd;

		Planning(@Nullable String model) {
			this.checked = CheckedRequests.start(model);
		}

		void add(InputRequest request, JsonLine line, int chunkSize, String provider) {
			if (this.checked.count() % chunkSize == 0) {
				this.offsets.add(this.lastEnd);
			}
			this.checked = this.checked.add(request, provider);
			this.lastEnd = line.end();
		}

	}

}
