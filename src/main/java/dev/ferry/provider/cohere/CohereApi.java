package dev.ferry.provider.cohere;

import java.util.Comparator;
import java.util.List;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import dev.ferry.batch.BatchError;
import dev.ferry.batch.BatchStatus;
import dev.ferry.batch.BatchTimes;
import dev.ferry.batch.ProviderDescriptor;
import dev.ferry.batch.RequestCounts;
import dev.ferry.files.InputRequest;
import dev.ferry.provider.cohere.CohereChat.UnmappableException;
import dev.ferry.provider.jobs.JobApi;
import dev.ferry.provider.jobs.JobClient;
import dev.ferry.provider.jobs.JobState;
import dev.ferry.provider.jobs.JobSubmission;
import dev.ferry.provider.jobs.JobTimes;
import dev.ferry.provider.jobs.ResultLine;
import dev.ferry.results.JsonLines;

import org.springframework.core.io.buffer.DataBuffer;

/**
 * Cohere's two dataset-based job APIs on the wire: Batches (v2) for chat requests and
 * Embed Jobs (v1) for embedding requests. Embed jobs are told apart by the id callers
 * see, {@code embed-<job_id>}. Requests are translated into Cohere's shapes as the
 * dataset uploads (every one was translated once already, in the checking pass, so a
 * request Cohere cannot take is refused with its line first); results are translated back
 * as the output dataset's rows arrive.
 */
final class CohereApi implements JobApi {

	static final String EMBED_PREFIX = "embed-";

	private static final String CHAT = "/v1/chat/completions";

	private static final int LIST_PAGE = 100;

	private final JobClient client;

	private final JsonMapper mapper;

	private final CohereDatasets datasets;

	private final CohereChat chat;

	private final CohereEmbeddings embeddings;

	CohereApi(JobClient client, JsonMapper mapper, Scheduler blocking) {
		this.client = client;
		this.mapper = mapper;
		this.datasets = new CohereDatasets(client, mapper, blocking);
		this.chat = new CohereChat(mapper);
		this.embeddings = new CohereEmbeddings(mapper);
	}

	@Override
	public ProviderDescriptor descriptor() {
		return CohereFamily.DESCRIPTOR;
	}

	@Override
	public void check(InputRequest request, String endpoint) {
		row(request, endpoint);
	}

	/** The request as a row of Cohere's input dataset. */
	private ObjectNode row(InputRequest request, String endpoint) {
		ObjectNode row = this.mapper.createObjectNode().put("custom_id", request.customId());
		try {
			if (endpoint.equals(CHAT)) {
				ObjectNode body = ((ObjectNode) request.body()).deepCopy();
				body.remove("model");
				row.set("body", this.chat.request(body));
			}
			else {
				row.put("text", this.embeddings.text(request.body()));
			}
		}
		catch (UnmappableException ex) {
			throw request.refused(ex.getMessage());
		}
		return row;
	}

	@Override
	public Mono<JsonNode> submit(JobSubmission submission) {
		Flux<DataBuffer> rows = submission.requests()
			.get()
			.map((request) -> JsonLines.line(this.mapper, row(request, submission.endpoint())));
		if (submission.endpoint().equals(CHAT)) {
			return this.datasets.upload(submission.name(), "batch-chat-v2-input", rows)
				.flatMap((dataset) -> this.client.create((uri) -> uri.path("/v2/batches").build(),
						this.mapper.createObjectNode()
							.put("name", submission.name())
							.put("input_dataset_id", dataset)
							.put("model", submission.model())))
				.map((created) -> created.path("batch"));
		}
		ObjectNode job = this.mapper.createObjectNode()
			.put("model", submission.model())
			.put("name", submission.name())
			.put("input_type", submission.options().path("input_type").asString("search_document"));
		job.putArray("embedding_types").add("float");
		if (submission.options().path("truncate").isString()) {
			job.put("truncate", submission.options().path("truncate").asString());
		}
		return this.datasets.upload(submission.name(), "embed-input", rows)
			.flatMap((dataset) -> this.client.create((uri) -> uri.path("/v1/embed-jobs").build(),
					job.put("dataset_id", dataset)))
			.flatMap((created) -> retrieve(EMBED_PREFIX + created.path("job_id").asString("")));
	}

	@Override
	public Mono<JsonNode> retrieve(String jobId) {
		if (jobId.startsWith(EMBED_PREFIX)) {
			String id = jobId.substring(EMBED_PREFIX.length());
			return this.client.get((uri) -> uri.path("/v1/embed-jobs/{id}").build(id));
		}
		return this.client.get((uri) -> uri.path("/v2/batches/{id}").build(jobId)).map((body) -> body.path("batch"));
	}

	/** Batches and embed jobs, merged newest first as both lists page in. */
	@Override
	public Flux<JsonNode> list() {
		Comparator<JsonNode> newestFirst = Comparator.comparing((JsonNode job) -> created(job)).reversed();
		return Flux.mergeComparing(newestFirst, batches(null), embedJobs());
	}

	private Flux<JsonNode> batches(@Nullable String token) {
		return this.client.get((uri) -> {
			uri.path("/v2/batches").queryParam("page_size", LIST_PAGE).queryParam("order_by", "created_at desc");
			if (token != null) {
				uri.queryParam("page_token", token);
			}
			return uri.build();
		}).flatMapMany((page) -> {
			String next = page.path("next_page_token").asString("");
			return Flux.fromIterable(page.path("batches")).concatWith(next.isEmpty() ? Flux.empty() : batches(next));
		});
	}

	/** Cohere lists embed jobs in one answer, without paging. */
	private Flux<JsonNode> embedJobs() {
		return this.client.get((uri) -> uri.path("/v1/embed-jobs").build())
			.flatMapMany((page) -> Flux.fromIterable(page.path("embed_jobs")))
			.sort(Comparator.comparing((JsonNode job) -> created(job)).reversed());
	}

	private static long created(JsonNode job) {
		Long created = JobTimes.seconds(job, "created_at");
		return (created != null) ? created : 0;
	}

	@Override
	public Mono<JsonNode> cancel(String jobId) {
		if (jobId.startsWith(EMBED_PREFIX)) {
			String id = jobId.substring(EMBED_PREFIX.length());
			return this.client.postIdempotent((uri) -> uri.path("/v1/embed-jobs/{id}/cancel").build(id));
		}
		return this.client.postIdempotent((uri) -> uri.path("/v2/batches/{id}:cancel").build(jobId));
	}

	@Override
	public String id(JsonNode job) {
		return job.has("job_id") ? EMBED_PREFIX + job.path("job_id").asString("") : job.path("id").asString("");
	}

	@Override
	public JobState state(JsonNode job) {
		boolean embed = job.has("job_id");
		String nativeStatus = job.path("status").asString("");
		BatchStatus status = embed ? embedStatus(nativeStatus) : batchStatus(nativeStatus);
		long total = job.path("num_records").asLong(0);
		long succeeded = job.path("num_successful_records").asLong(0);
		long failed = job.path("num_failed_records").asLong(0);
		RequestCounts counts = JobState.counts(status, total, succeeded, failed, succeeded + failed);
		long createdAt = created(job);
		Long updated = JobTimes.seconds(job, "updated_at");
		Long ended = (updated != null) ? updated : (status.isTerminal() ? createdAt : null);
		BatchTimes times = new BatchTimes(createdAt, (status == BatchStatus.VALIDATING) ? null : createdAt, null, null,
				(status == BatchStatus.COMPLETED) ? ended : null, (status == BatchStatus.FAILED) ? ended : null, null,
				null, (status == BatchStatus.CANCELLED) ? ended : null, null);
		String reason = job.path("status_reason").asString("");
		List<BatchError> errors = (status == BatchStatus.FAILED && !reason.isEmpty())
				? List.of(new BatchError("batch_failed", reason, null, null)) : List.of();
		ObjectNode usage = null;
		if (job.has("input_tokens") || job.has("output_tokens")) {
			long input = job.path("input_tokens").asLong(0);
			long output = job.path("output_tokens").asLong(0);
			usage = this.mapper.createObjectNode()
				.put("input_tokens", input)
				.put("output_tokens", output)
				.put("total_tokens", input + output);
		}
		return new JobState(status, nativeStatus, counts, times, errors, embed ? "/v1/embeddings" : CHAT,
				job.path("model").asString(null), null, usage);
	}

	/**
	 * OpenAI's status for a Cohere batch's: the seven map one to one, with unspecified
	 * and queued as {@code validating}; a status Cohere adds later reads as
	 * {@code in_progress}, so that pollers keep polling.
	 * @param status Cohere's {@code BATCH_STATUS_*}
	 * @return OpenAI's
	 */
	static BatchStatus batchStatus(String status) {
		return switch (status) {
			case "BATCH_STATUS_UNSPECIFIED", "BATCH_STATUS_QUEUED" -> BatchStatus.VALIDATING;
			case "BATCH_STATUS_CANCELING" -> BatchStatus.CANCELLING;
			case "BATCH_STATUS_COMPLETED" -> BatchStatus.COMPLETED;
			case "BATCH_STATUS_FAILED" -> BatchStatus.FAILED;
			case "BATCH_STATUS_CANCELED" -> BatchStatus.CANCELLED;
			default -> BatchStatus.IN_PROGRESS;
		};
	}

	/**
	 * OpenAI's status for an embed job's.
	 * @param status {@code processing}, {@code complete}, {@code cancelling},
	 * {@code cancelled} or {@code failed}
	 * @return OpenAI's
	 */
	static BatchStatus embedStatus(String status) {
		return switch (status) {
			case "complete" -> BatchStatus.COMPLETED;
			case "cancelling" -> BatchStatus.CANCELLING;
			case "cancelled" -> BatchStatus.CANCELLED;
			case "failed" -> BatchStatus.FAILED;
			default -> BatchStatus.IN_PROGRESS;
		};
	}

	@Override
	public Flux<ResultLine> results(JsonNode job) {
		String output = job.path("output_dataset_id").asString("");
		if (output.isEmpty()) {
			return Flux.empty();
		}
		String model = job.path("model").asString("");
		Long completedAt = state(job).times().completedAt();
		long ended = (completedAt != null) ? completedAt : created(job);
		boolean embed = job.has("job_id");
		return this.datasets.rows(output).map((row) -> embed ? embedLine(row, model) : chatLine(row, model, ended));
	}

	private ResultLine embedLine(JsonNode row, String model) {
		ObjectNode line = line(row);
		ObjectNode response = line.putObject("response").put("status_code", 200);
		response.putNull("request_id");
		response.set("body", this.embeddings.list(row, model));
		line.putNull("error");
		return new ResultLine(true, line);
	}

	/**
	 * A chat row as an OpenAI line. Cohere's rows carry the response as {@code body} (or
	 * within {@code response}), and an {@code error}; inside Avro either may be a JSON
	 * string.
	 */
	private ResultLine chatLine(JsonNode row, String model, long ended) {
		ObjectNode line = line(row);
		JsonNode error = json(row.path("error"));
		JsonNode response = json(row.path("response"));
		JsonNode body = json(response.has("body") ? response.path("body")
				: response.isObject() && !response.isEmpty() ? response : row.path("body"));
		ObjectNode completion = (error.isMissingNode() || error.isNull()) && body.isObject()
				? this.chat.completion(body, model, ended) : null;
		if (completion != null) {
			ObjectNode wrapped = line.putObject("response").put("status_code", 200);
			wrapped.put("request_id", completion.path("id").asString(""));
			wrapped.set("body", completion);
			line.putNull("error");
			return new ResultLine(true, line);
		}
		line.putNull("response");
		String message = error.isObject() ? error.path("message").asString(error.toString())
				: !error.isMissingNode() && !error.isNull() ? error.asString()
						: "Cohere's generation failed (finish_reason ERROR)";
		line.putObject("error")
			.put("code", error.isObject() ? error.path("code").asString("request_failed") : "request_failed")
			.put("message", message);
		return new ResultLine(false, line);
	}

	private ObjectNode line(JsonNode row) {
		String customId = row.path("custom_id").asString("");
		return this.mapper.createObjectNode().put("id", "batch_req_" + customId).put("custom_id", customId);
	}

	/** A value that may be JSON written as a string, read as JSON. */
	private JsonNode json(JsonNode value) {
		if (!value.isString() || value.stringValue().isBlank()) {
			return value;
		}
		try {
			return this.mapper.readTree(value.stringValue());
		}
		catch (JacksonException ex) {
			return value;
		}
	}

}
