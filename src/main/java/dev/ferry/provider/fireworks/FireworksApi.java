package dev.ferry.provider.fireworks;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import dev.ferry.batch.ApiError;
import dev.ferry.batch.BatchError;
import dev.ferry.batch.BatchStatus;
import dev.ferry.batch.BatchTimes;
import dev.ferry.batch.ProviderDescriptor;
import dev.ferry.batch.RandomIds;
import dev.ferry.batch.RequestCounts;
import dev.ferry.files.InputRequest;
import dev.ferry.provider.jobs.JobApi;
import dev.ferry.provider.jobs.JobClient;
import dev.ferry.provider.jobs.JobState;
import dev.ferry.provider.jobs.JobSubmission;
import dev.ferry.provider.jobs.JobTimes;
import dev.ferry.provider.jobs.ResultLine;
import dev.ferry.results.JsonLines;

import org.springframework.core.io.buffer.DataBuffer;

/**
 * Fireworks' batch inference jobs on the wire (docs.fireworks.ai/guides/batch-inference
 * and its API reference). A batch becomes three calls: a dataset entry, its JSONL upload
 * ({@code {custom_id, body}} lines, the model being the job's), and the job, whose id and
 * output dataset Ferry names so that a retried create cannot make a second job. Results
 * are the output dataset's files, fetched through the signed URLs Fireworks hands out:
 * the results file holds {@code {custom_id, response}} lines, the error file
 * {@code {custom_id, error}} lines.
 */
final class FireworksApi implements JobApi {

	/** Fireworks resource ids: lower-case letters, digits and hyphens. */
	static final Pattern JOB_ID = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");

	static final Pattern ACCOUNT = JOB_ID;

	/** The largest file Fireworks takes through its single-request dataset upload. */
	static final long MAX_UPLOAD_BYTES = 150L * 1024 * 1024;

	private static final int LIST_PAGE = 200;

	/**
	 * Fireworks' names for the per-job settings, by the create field's snake_case key.
	 */
	private static final Map<String, String> INFERENCE_PARAMETERS = Map.of("max_tokens", "maxTokens", "temperature",
			"temperature", "top_p", "topP", "top_k", "topK", "n", "n", "extra_body", "extraBody");

	private final JobClient client;

	private final JsonMapper mapper;

	private final String account;

	private final int maxLineBytes;

	FireworksApi(JobClient client, JsonMapper mapper, String account, int maxLineBytes) {
		this.client = client;
		this.mapper = mapper;
		this.account = account;
		this.maxLineBytes = maxLineBytes;
	}

	@Override
	public ProviderDescriptor descriptor() {
		return FireworksFamily.DESCRIPTOR;
	}

	@Override
	public Mono<JsonNode> submit(JobSubmission submission) {
		ObjectNode parameters = inferenceParameters(submission.options().path("inference_parameters"));
		String id = "ferry-" + RandomIds.hex(12);
		String input = id + "-input";
		String output = id + "-output";
		ObjectNode dataset = this.mapper.createObjectNode().put("datasetId", input);
		dataset.putObject("dataset").putObject("userUploaded");
		ObjectNode job = this.mapper.createObjectNode()
			.put("displayName", submission.name())
			.put("model", model(submission.model()))
			.put("inputDatasetId", datasetName(input))
			.put("outputDatasetId", datasetName(output));
		if (!parameters.isEmpty()) {
			job.set("inferenceParameters", parameters);
		}
		return this.client.create((uri) -> uri.path("/v1/accounts/{account}/datasets").build(this.account), dataset)
			.then(this.client.upload(
					(uri) -> uri.path("/v1/accounts/{account}/datasets/{dataset}:upload").build(this.account, input),
					(form) -> {
					}, "file", input + ".jsonl", submission.requests().get().map(this::line)))
			.then(this.client.create((uri) -> uri.path("/v1/accounts/{account}/batchInferenceJobs")
				.queryParam("batchInferenceJobId", id)
				.build(this.account), job));
	}

	/**
	 * The job's settings from the create body's {@code inference_parameters}; a key
	 * Fireworks has no setting for is refused before anything is sent.
	 */
	private ObjectNode inferenceParameters(JsonNode given) {
		ObjectNode parameters = this.mapper.createObjectNode();
		if (given.isMissingNode() || given.isNull()) {
			return parameters;
		}
		if (!given.isObject()) {
			throw ApiError.invalid("inference_parameters",
					"inference_parameters: expected an object of " + INFERENCE_PARAMETERS.keySet());
		}
		for (var entry : given.properties()) {
			String name = INFERENCE_PARAMETERS.get(entry.getKey());
			if (name == null) {
				throw ApiError.invalid("inference_parameters", "inference_parameters." + entry.getKey()
						+ ": not a Fireworks job setting (accepted: " + INFERENCE_PARAMETERS.keySet() + ")");
			}
			JsonNode value = entry.getValue();
			// Fireworks takes extraBody as a JSON string.
			parameters.set(name, (name.equals("extraBody") && value.isObject())
					? this.mapper.getNodeFactory().stringNode(value.toString()) : value);
		}
		return parameters;
	}

	/** A bare model name is one of Fireworks' own, as its SDK reads it. */
	private static String model(String model) {
		return model.contains("/") ? model : "accounts/fireworks/models/" + model;
	}

	private String datasetName(String dataset) {
		return "accounts/" + this.account + "/datasets/" + dataset;
	}

	private DataBuffer line(InputRequest request) {
		ObjectNode line = this.mapper.createObjectNode().put("custom_id", request.customId());
		line.set("body", request.body());
		return JsonLines.line(this.mapper, line);
	}

	@Override
	public Mono<JsonNode> retrieve(String jobId) {
		return this.client
			.get((uri) -> uri.path("/v1/accounts/{account}/batchInferenceJobs/{id}").build(this.account, jobId));
	}

	@Override
	public Flux<JsonNode> list() {
		return listPage(null).expand((page) -> (token(page) != null) ? listPage(token(page)) : Mono.empty())
			.concatMapIterable((page) -> page.path("batchInferenceJobs"));
	}

	private Mono<JsonNode> listPage(@Nullable String token) {
		return this.client.get((uri) -> {
			uri.path("/v1/accounts/{account}/batchInferenceJobs")
				.queryParam("pageSize", LIST_PAGE)
				.queryParam("orderBy", "create_time desc");
			if (token != null) {
				uri.queryParam("pageToken", token);
			}
			return uri.build(this.account);
		});
	}

	@Override
	public Mono<JsonNode> cancel(String jobId) {
		return Mono.error(new IllegalStateException("Fireworks has no batch inference job cancel"));
	}

	@Override
	public String id(JsonNode job) {
		String name = job.path("name").asString("");
		return name.substring(name.lastIndexOf('/') + 1);
	}

	@Override
	public JobState state(JsonNode job) {
		String nativeStatus = job.path("state").asString("JOB_STATE_UNSPECIFIED");
		BatchStatus status = status(nativeStatus);
		JsonNode progress = job.path("jobProgress");
		long total = progress.path("totalInputRequests").asLong(0);
		long succeeded = progress.path("successfullyProcessedRequests").asLong(0);
		long failed = progress.path("failedRequests").asLong(0);
		RequestCounts counts = JobState.counts(status, total, succeeded, failed, succeeded + failed);
		Long created = JobTimes.seconds(job, "createTime");
		Long updated = JobTimes.seconds(job, "updateTime");
		long createdAt = (created != null) ? created : 0;
		BatchTimes times = new BatchTimes(createdAt, (status == BatchStatus.VALIDATING) ? null : createdAt,
				createdAt + 24 * 3600, (status == BatchStatus.FINALIZING) ? updated : null,
				(status == BatchStatus.COMPLETED) ? updated : null, (status == BatchStatus.FAILED) ? updated : null,
				(status == BatchStatus.EXPIRED) ? updated : null, null,
				(status == BatchStatus.CANCELLED) ? updated : null, null);
		List<BatchError> errors = new ArrayList<>();
		String message = job.path("status").path("message").asString("");
		if (status == BatchStatus.FAILED && !message.isEmpty()) {
			errors.add(new BatchError(job.path("status").path("code").asString("FAILED"), message, null, null));
		}
		ObjectNode usage = null;
		if (progress.has("inputTokens") || progress.has("outputTokens")) {
			usage = this.mapper.createObjectNode()
				.put("input_tokens", progress.path("inputTokens").asLong(0))
				.put("output_tokens", progress.path("outputTokens").asLong(0))
				.put("total_tokens", progress.path("inputTokens").asLong(0) + progress.path("outputTokens").asLong(0));
		}
		return new JobState(status, nativeStatus, counts, times, errors, "/v1/chat/completions",
				job.path("model").asString(null), null, usage);
	}

	/**
	 * OpenAI's status for Fireworks' job state. The states before the first request runs
	 * (creating, validating, pending, queued again, idle) are {@code validating}; writing
	 * results is {@code finalizing}; a job being deleted or deleted is {@code cancelled};
	 * stopped early is {@code failed}, with Fireworks' message; a paused job (an account
	 * suspended) and any state Fireworks adds later read as {@code in_progress}, so that
	 * pollers keep polling, with the native state kept beside it.
	 * @param state Fireworks' {@code JOB_STATE_*}
	 * @return OpenAI's status
	 */
	static BatchStatus status(String state) {
		return switch (state.startsWith("JOB_STATE_") ? state.substring("JOB_STATE_".length()) : state) {
			case "UNSPECIFIED", "CREATING", "CREATING_INPUT_DATASET", "VALIDATING", "PENDING", "RE_QUEUEING", "IDLE" ->
				BatchStatus.VALIDATING;
			case "WRITING_RESULTS" -> BatchStatus.FINALIZING;
			case "COMPLETED" -> BatchStatus.COMPLETED;
			case "FAILED", "EARLY_STOPPED" -> BatchStatus.FAILED;
			case "EXPIRED" -> BatchStatus.EXPIRED;
			case "CANCELLING" -> BatchStatus.CANCELLING;
			case "CANCELLED", "DELETING", "DELETING_CLEANING_UP", "DELETED" -> BatchStatus.CANCELLED;
			default -> BatchStatus.IN_PROGRESS;
		};
	}

	/**
	 * The output dataset's files through their signed URLs: the results file's lines
	 * first, then the error file's (its name says {@code error}).
	 */
	@Override
	public Flux<ResultLine> results(JsonNode job) {
		String output = job.path("outputDatasetId").asString("");
		String dataset = output.substring(output.lastIndexOf('/') + 1);
		if (dataset.isEmpty()) {
			return Flux.empty();
		}
		return this.client
			.get((uri) -> uri.path("/v1/accounts/{account}/datasets/{dataset}:getDownloadEndpoint")
				.build(this.account, dataset))
			.flatMapMany((endpoint) -> {
				List<Map.Entry<String, JsonNode>> files = new ArrayList<>(
						endpoint.path("filenameToSignedUrls").properties());
				files.sort(Map.Entry.comparingByKey());
				return Flux.fromIterable(files)
					.sort((a, b) -> Boolean.compare(isErrorFile(a.getKey()), isErrorFile(b.getKey())))
					.concatMap((file) -> read(file.getKey(), file.getValue().asString()));
			});
	}

	private Flux<ResultLine> read(String filename, String url) {
		boolean errors = isErrorFile(filename);
		return this.client.downloadSigned(URI.create(url))
			.flatMapMany((body) -> JsonLines.frame(body, this.maxLineBytes))
			.map((text) -> line(this.mapper.readTree(text.text()), errors));
	}

	private static boolean isErrorFile(String filename) {
		String name = filename.substring(filename.lastIndexOf('/') + 1);
		return name.toLowerCase(java.util.Locale.ROOT).contains("error");
	}

	/** A results-file or error-file row as an OpenAI line. */
	private ResultLine line(JsonNode row, boolean fromErrorFile) {
		String customId = row.path("custom_id").asString("");
		ObjectNode line = this.mapper.createObjectNode().put("id", "batch_req_" + customId).put("custom_id", customId);
		JsonNode response = row.path("response");
		if (!fromErrorFile && response.isObject() && !row.path("error").isObject()) {
			ObjectNode wrapped = line.putObject("response").put("status_code", 200);
			wrapped.set("request_id", response.path("id").isString() ? response.get("id") : null);
			wrapped.set("body", response);
			line.putNull("error");
			return new ResultLine(true, line);
		}
		JsonNode error = row.path("error");
		line.putNull("response");
		line.putObject("error")
			.put("code", error.path("code").isMissingNode() ? "request_failed" : error.path("code").asString())
			.put("message", error.isObject() ? error.path("message").asString(error.toString())
					: error.asString("Fireworks returned no response for this request"));
		return new ResultLine(false, line);
	}

	private static @Nullable String token(JsonNode page) {
		JsonNode token = page.path("nextPageToken");
		return (token.isString() && !token.stringValue().isEmpty()) ? token.stringValue() : null;
	}

}
