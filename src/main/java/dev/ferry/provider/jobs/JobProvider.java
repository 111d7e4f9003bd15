package dev.ferry.provider.jobs;

import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.stream.Stream;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import dev.ferry.batch.ApiError;
import dev.ferry.batch.Batch;
import dev.ferry.batch.BatchDeleted;
import dev.ferry.batch.BatchFiles;
import dev.ferry.batch.BatchPage;
import dev.ferry.batch.BatchProvider;
import dev.ferry.batch.BatchResults;
import dev.ferry.batch.BatchStatus;
import dev.ferry.batch.CreateBatch;
import dev.ferry.batch.FerryIds;
import dev.ferry.batch.FileContent;
import dev.ferry.batch.FileDeleted;
import dev.ferry.batch.FileObject;
import dev.ferry.batch.FilePage;
import dev.ferry.batch.FileResults;
import dev.ferry.batch.IdPages;
import dev.ferry.batch.InlineBatch;
import dev.ferry.batch.InlineRequests;
import dev.ferry.batch.PageQuery;
import dev.ferry.batch.ProviderDescriptor;
import dev.ferry.batch.RandomIds;
import dev.ferry.batch.RequestCounts;
import dev.ferry.batch.ResultFiles;
import dev.ferry.files.CheckedRequests;
import dev.ferry.files.HeldFiles;
import dev.ferry.files.InputLines;
import dev.ferry.files.InputRequest;
import dev.ferry.provider.jobs.JobRecords.JobRecord;
import dev.ferry.results.JsonLines;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.MediaType;
import org.springframework.http.codec.multipart.PartEvent;

/**
 * A job-style provider in Ferry's canonical model. Ferry holds the caller's OpenAI input
 * files; at create it reads the file once to check every line (envelope, endpoint, one
 * model) and count the requests, so that a bad line is refused with its number before
 * anything goes upstream, then hands the provider's {@link JobApi} the requests to send
 * in its own shape. The job's state is mapped onto OpenAI's statuses, and its results are
 * served as OpenAI output and error files, translated as they stream. Callers see
 * Ferry-minted ids.
 */
public final class JobProvider implements BatchProvider {

	private static final MediaType JSONL = MediaType.parseMediaType("application/jsonl");

	/** How the ids of batches Ferry's runner runs begin. */
	private static final String SMALL_PREFIX = "exec-";

	private final String name;

	private final JobApi api;

	private final HeldFiles files;

	private final JobRecords records;

	private final InputLines lines;

	private final JsonMapper mapper;

	private final Clock clock;

	/**
	 * Runs the batches the provider does not take for having too few requests, where it
	 * is configured to; their ids are the executed runner's ({@code exec-…}).
	 */
	private final @Nullable BatchProvider small;

	JobProvider(String name, JobApi api, HeldFiles files, JobRecords records, InputLines lines, JsonMapper mapper,
			Clock clock, @Nullable BatchProvider small) {
		this.small = small;
		this.name = name;
		this.api = api;
		this.files = files;
		this.records = records;
		this.lines = lines;
		this.mapper = mapper;
		this.clock = clock;
	}

	@Override
	public String name() {
		return this.name;
	}

	@Override
	public ProviderDescriptor descriptor() {
		return this.api.descriptor();
	}

	@Override
	public Mono<Batch> createBatch(CreateBatch request) {
		String fileId = request.inputFileId();
		if (!fileId.startsWith(HeldFiles.NATIVE_PREFIX)) {
			return Mono.error(ApiError.invalid("input_file_id",
					"input_file_id: '" + fileId + "' is not an input file uploaded to provider '" + this.name + "'"));
		}
		Supplier<Flux<InputRequest>> requests = () -> this.lines.read(this.files.content(fileId), request.endpoint());
		Asked asked = new Asked(request.endpoint(), request.model(), this.files.publicId(fileId),
				request.completionWindow(), request.metadata());
		return this.files.retrieve(fileId)
			.then(create(requests, asked, "ferry-" + fileId, false, request.passthrough()))
			.onErrorResume((error) -> this.small != null && error instanceof ApiError refused
					&& JobApi.TOO_FEW_REQUESTS.equals(refused.code()), (error) -> runSmall(request));
	}

	/**
	 * Hands a batch the provider refused for its size to Ferry's runner, and keeps it in
	 * the provider's list of batches.
	 */
	private Mono<Batch> runSmall(CreateBatch request) {
		return this.small.createBatch(request).flatMap((batch) -> {
			String id = FerryIds.decode("batch_", batch.id()).map(FerryIds.Minted::nativeId).orElse(batch.id());
			JobRecord record = new JobRecord(batch.endpoint(), batch.model(), batch.inputFileId(),
					batch.completionWindow(), batch.metadata(), this.clock.millis(), batch.requestCounts().total());
			return this.records.save(this.name, id, record).thenReturn(batch);
		});
	}

	/** The runner's provider for a batch, or a result file, it runs; else none. */
	private @Nullable BatchProvider smallFor(String id) {
		return (this.small != null && id.startsWith(SMALL_PREFIX)) ? this.small : null;
	}

	@Override
	public List<BatchProvider> parts() {
		return (this.small != null) ? List.of(this, this.small) : List.of(this);
	}

	/**
	 * Creates a batch from inline requests, for providers that take them in the create
	 * call (Mistral, OpenRouter): no input file is held or uploaded.
	 */
	@Override
	public Mono<Batch> createInlineBatch(InlineBatch request) {
		Supplier<Flux<InputRequest>> requests = () -> Flux.range(0, request.requests().size()).map((i) -> {
			JsonNode item = request.requests().get(i);
			return new InputRequest(item.path("custom_id").asString(), InlineRequests.body(item), "requests[" + i + "]",
					"requests");
		});
		Asked asked = new Asked(request.endpoint(), request.model(), null, request.completionWindow(),
				request.metadata());
		return create(requests, asked, "ferry-inline-" + RandomIds.hex(6), true, this.mapper.createObjectNode());
	}

	/**
	 * Checks every request in a first pass, then submits them in a second.
	 * @param requests the requests, read anew on each subscription
	 * @param asked what the caller asked for
	 * @param name a name for the job
	 * @param inline whether the requests came inline
	 * @param options create-body fields beyond OpenAI's
	 * @return the batch
	 */
	private Mono<Batch> create(Supplier<Flux<InputRequest>> requests, Asked asked, String name, boolean inline,
			ObjectNode options) {
		String endpoint = asked.endpoint();
		return requests.get()
			.doOnNext((item) -> this.api.check(item, endpoint))
			.reduce(CheckedRequests.start(asked.model()), (checked, item) -> checked.add(item, this.name))
			.flatMap((checked) -> {
				String model = checked.requireModel(this.name);
				descriptor().checkRequestCount(this.name, checked.count(), inline ? "requests" : "input_file_id");
				JobSubmission submission = new JobSubmission(() -> requests.get().map(JobProvider::withoutModel),
						checked.count(), inline, endpoint, model, asked.metadata(), name, options);
				JobRecord record = new JobRecord(endpoint, model, asked.inputFileId(), asked.completionWindow(),
						asked.metadata(), this.clock.millis(), checked.count());
				return this.api.submit(submission)
					.flatMap((job) -> this.records.save(this.name, this.api.id(job), record)
						.thenReturn(toBatch(job, Optional.of(record))));
			})
			.onErrorMap(ApiError.class, (error) -> (error.provider() == null) ? error.withProvider(this.name) : error);
	}

	@Override
	public Mono<Batch> retrieveBatch(String batchId) {
		BatchProvider small = smallFor(batchId);
		return (small != null) ? small.retrieveBatch(batchId) : this.api.retrieve(batchId).flatMap(this::present);
	}

	/**
	 * A page of batches, newest first. The providers page with tokens or page numbers
	 * rather than after an id, so the page after {@code after} is found by reading their
	 * list from the start, page after page, until that id has passed.
	 */
	@Override
	public Mono<BatchPage> listBatches(PageQuery query) {
		if (!this.api.lists()) {
			return IdPages.page(this.records.newestFirst(this.name), query, this::retrieveBatch)
				.map((page) -> new BatchPage(page.data(), page.firstId(Batch::id), page.lastId(Batch::id),
						page.hasMore(), null));
		}
		String after = query.after();
		Flux<JsonNode> jobs = this.api.list();
		return ((after == null) ? jobs : jobs.skipUntil((job) -> after.equals(this.api.id(job))).skip(1))
			.take(query.limit() + 1L)
			.concatMap(this::present)
			.collectList()
			.map((batches) -> {
				var data = batches.subList(0, Math.min(query.limit(), batches.size()));
				return new BatchPage(data, data.isEmpty() ? null : data.get(0).id(),
						data.isEmpty() ? null : data.get(data.size() - 1).id(), batches.size() > query.limit(), null);
			});
	}

	@Override
	public Mono<Batch> cancelBatch(String batchId) {
		BatchProvider small = smallFor(batchId);
		if (small != null) {
			return small.cancelBatch(batchId);
		}
		if (!descriptor().cancels()) {
			return Mono.error(ApiError
				.invalid("batch_id",
						"provider '" + this.name
								+ "' cannot cancel a batch (its API has no cancel); the batch runs to its end")
				.withProvider(this.name));
		}
		return this.records.cancelRequested(this.name, batchId, this.clock.millis() / 1000)
			.then(this.api.cancel(batchId))
			.filter((job) -> !this.api.id(job).isEmpty())
			.switchIfEmpty(Mono.defer(() -> this.api.retrieve(batchId)))
			.flatMap(this::present);
	}

	/**
	 * Deletes the input file Ferry holds for an ended batch. The providers keep their
	 * jobs and results until they expire them; none of them deletes a job.
	 */
	@Override
	public Mono<BatchDeleted> deleteBatch(String batchId) {
		BatchProvider small = smallFor(batchId);
		if (small != null) {
			return small.deleteBatch(batchId);
		}
		return BatchFiles.delete(this, batchId, (batch) -> Stream.of(batch.inputFileId()))
			.flatMap((deleted) -> this.api.delete(batchId).thenReturn(deleted));
	}

	@Override
	public Mono<BatchResults> results(String batchId) {
		BatchProvider small = smallFor(batchId);
		if (small != null) {
			return small.results(batchId);
		}
		return this.api.retrieve(batchId).flatMap((job) -> present(job).map((batch) -> {
			FileResults.requireEnded(batch);
			return BatchResults.of(batch, () -> this.api.results(job).map(this::line));
		}));
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
		BatchProvider small = smallFor(fileId);
		if (small != null) {
			return small.retrieveFile(fileId);
		}
		return endedJob(fileId).map((job) -> {
			Long ended = this.api.state(job).times().completedAt();
			return ResultFiles.file(this.name, fileId, (ended != null) ? ended : 0);
		});
	}

	@Override
	public Mono<FileDeleted> deleteFile(String fileId) {
		if (ResultFiles.isResultFile(fileId)) {
			return Mono.error(ApiError.invalid("file_id",
					"file_id: '" + ResultFiles.publicId(this.name, fileId)
							+ "' is the results of a batch, kept by provider '" + this.name
							+ "' itself; it cannot be deleted"));
		}
		return this.files.delete(fileId);
	}

	@Override
	public Mono<FileContent> fileContent(String fileId) {
		if (!ResultFiles.isResultFile(fileId)) {
			return this.files.fileContent(fileId);
		}
		BatchProvider small = smallFor(fileId);
		if (small != null) {
			return small.fileContent(fileId);
		}
		boolean output = ResultFiles.isOutput(fileId);
		return endedJob(fileId).map((job) -> new FileContent(JSONL, -1,
				this.api.results(job).filter((result) -> result.succeeded() == output).map(this::line)));
	}

	/** The job behind a result file, which exists only once the job has ended. */
	private Mono<JsonNode> endedJob(String fileId) {
		return this.api.retrieve(ResultFiles.batchId(fileId))
			.onErrorMap(ApiError.class,
					(error) -> (error.status() == 404) ? ResultFiles.notFound(this.name, fileId) : error)
			.filter((job) -> this.api.state(job).status().isTerminal())
			.switchIfEmpty(Mono.error(() -> ResultFiles.notFound(this.name, fileId)));
	}

	private DataBuffer line(ResultLine result) {
		return JsonLines.line(this.mapper, result.line());
	}

	private Mono<Batch> present(JsonNode job) {
		String id = this.api.id(job);
		JobState state = this.api.state(job);
		Mono<JobState> withCancel = (state.times().cancellingAt() == null && cancelledOrCancelling(state))
				? this.records.cancelRequestedAt(this.name, id).map(state::cancellingAt).defaultIfEmpty(state)
				: Mono.just(state);
		return withCancel.zipWith(this.records.find(this.name, id))
			.map((found) -> toBatch(job, found.getT1(), found.getT2()));
	}

	private static boolean cancelledOrCancelling(JobState state) {
		return state.status() == BatchStatus.CANCELLING || state.status() == BatchStatus.CANCELLED;
	}

	private Batch toBatch(JsonNode job, Optional<JobRecord> kept) {
		return toBatch(job, this.api.state(job), kept);
	}

	private Batch toBatch(JsonNode job, JobState state, Optional<JobRecord> kept) {
		String id = this.api.id(job);
		JobRecord record = kept.orElse(null);
		RequestCounts counts = (state.counts().total() == 0 && record != null && record.requests() > 0)
				? countsFromStatus(record.requests(), state.status()) : state.counts();
		boolean ended = state.status().isTerminal();
		String endpoint = (record != null) ? record.endpoint()
				: (state.endpoint() != null) ? state.endpoint() : "/v1/chat/completions";
		return new Batch(FerryIds.mint("batch_", this.name, id), this.name, endpoint,
				(record != null) ? record.model() : state.model(), (record != null) ? record.inputFileId() : null,
				(record != null) ? record.completionWindow() : "24h", state.status(), state.nativeStatus(), counts,
				(record != null && record.metadata() != null) ? record.metadata() : state.metadata(), state.times(),
				(ended && counts.completed() > 0) ? ResultFiles.output(this.name, id) : null,
				(ended && counts.failed() > 0) ? ResultFiles.errors(this.name, id) : null, state.errors(), null,
				state.usage(), null, job);
	}

	/**
	 * The counts of a job whose provider reports none (Cohere's embed jobs): every
	 * request pending until it ends, then all succeeded or all failed with it.
	 */
	private static RequestCounts countsFromStatus(long total, BatchStatus status) {
		if (status == BatchStatus.COMPLETED) {
			return new RequestCounts(total, total, 0, total, 0, 0, 0);
		}
		if (status.isTerminal()) {
			return new RequestCounts(total, 0, total, 0, (status == BatchStatus.EXPIRED) ? total : 0,
					(status == BatchStatus.CANCELLED) ? total : 0, 0);
		}
		return new RequestCounts(total, 0, 0, 0, 0, 0, total);
	}

	private static InputRequest withoutModel(InputRequest request) {
		ObjectNode body = ((ObjectNode) request.body()).deepCopy();
		body.remove("model");
		return new InputRequest(request.customId(), body, request.where(), request.param());
	}

	/**
	 * What the caller asked for.
	 *
	 * @param endpoint the endpoint every request targets
	 * @param model the batch's model, if named
	 * @param inputFileId the input file as callers see it, if the batch comes from one
	 * @param completionWindow the window
	 * @param metadata the caller's metadata
	 */
	private record Asked(String endpoint, @Nullable String model, @Nullable String inputFileId, String completionWindow,
			@Nullable Map<String, String> metadata) {
	}

}
