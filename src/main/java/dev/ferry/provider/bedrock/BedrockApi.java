package dev.ferry.provider.bedrock;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.function.Supplier;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.util.retry.Retry;
import software.amazon.awssdk.core.async.AsyncRequestBody;
import software.amazon.awssdk.core.async.AsyncResponseTransformer;
import software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.bedrock.BedrockAsyncClient;
import software.amazon.awssdk.services.bedrock.model.BedrockException;
import software.amazon.awssdk.services.bedrock.model.CreateModelInvocationJobResponse;
import software.amazon.awssdk.services.bedrock.model.GetModelInvocationJobResponse;
import software.amazon.awssdk.services.bedrock.model.ModelInvocationType;
import software.amazon.awssdk.services.bedrock.model.S3InputFormat;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.model.S3Object;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import dev.ferry.auth.CallerHeaders;
import dev.ferry.batch.ApiError;
import dev.ferry.batch.ApiErrors;
import dev.ferry.batch.BatchError;
import dev.ferry.batch.BatchStatus;
import dev.ferry.batch.BatchTimes;
import dev.ferry.batch.ProviderDescriptor;
import dev.ferry.batch.RandomIds;
import dev.ferry.batch.RequestCounts;
import dev.ferry.batch.Sha256;
import dev.ferry.files.InputRequest;
import dev.ferry.provider.jobs.JobApi;
import dev.ferry.provider.jobs.JobState;
import dev.ferry.provider.jobs.JobSubmission;
import dev.ferry.provider.jobs.JobTimes;
import dev.ferry.provider.jobs.ResultLine;
import dev.ferry.results.JsonLines;
import dev.ferry.translate.ChatToMessages.TranslationException;
import dev.ferry.upstream.UpstreamFailures;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;

/**
 * Bedrock's model invocation jobs, through the AWS SDK's asynchronous clients (SigV4, on
 * the SDK's Netty transport; each call is started on a bounded scheduler, since the
 * credentials chain may read files or call the instance's metadata service). A batch is
 * written to S3 as {@code {recordId, modelInput}} lines (each model's own body, see
 * {@link BedrockRecords}) in one streamed upload whose size a first pass counts; then a
 * job on it, with a client request token unique to the submission, so that a create
 * Bedrock sees twice makes one job. Results are the job's {@code *.out} objects (not its
 * manifest), read as they download.
 */
final class BedrockApi implements JobApi {

	private final BedrockAsyncClient bedrock;

	private final S3AsyncClient s3;

	private final Scheduler blocking;

	private final JsonMapper mapper;

	private final int maxLineBytes;

	private final Settings settings;

	/** How many times a create Bedrock was briefly unable to answer is repeated. */
	private static final int CREATE_RETRIES = 2;

	/** The input object of a batch of Messages requests. */
	private static final String MESSAGES_INPUT = "messages.jsonl";

	private final BedrockRecords records;

	BedrockApi(BedrockAsyncClient bedrock, S3AsyncClient s3, Scheduler blocking, JsonMapper mapper, int maxLineBytes,
			Settings settings) {
		this.bedrock = bedrock;
		this.s3 = s3;
		this.blocking = blocking;
		this.mapper = mapper;
		this.maxLineBytes = maxLineBytes;
		this.settings = settings;
		this.records = new BedrockRecords(mapper, settings.defaultMaxTokens());
	}

	@Override
	public ProviderDescriptor descriptor() {
		return BedrockFamily.DESCRIPTOR;
	}

	@Override
	public void check(InputRequest request, String endpoint) {
		JsonNode model = request.body().path("model");
		if (model.isString()) {
			if (BedrockRecords.body(model.asString(), endpoint) == null) {
				throw request.refused(BedrockRecords.refusal(model.asString(), endpoint));
			}
			line(request, model.asString(), endpoint);
		}
	}

	/** A request as a line of the job's input: {@code {recordId, modelInput}}. */
	private ObjectNode line(InputRequest request, String model, String endpoint) {
		try {
			ObjectNode line = this.mapper.createObjectNode().put("recordId", RecordIds.recordId(request.customId()));
			line.set("modelInput", this.records.modelInput(request.body(), request.customId(), model, endpoint));
			return line;
		}
		catch (TranslationException ex) {
			throw request.refused(ex.getMessage());
		}
	}

	@Override
	public Mono<JsonNode> submit(JobSubmission submission) {
		BedrockRecords.Body body = BedrockRecords.body(submission.model(), submission.endpoint());
		if (body == null) {
			return Mono
				.error(ApiError.invalid("model", BedrockRecords.refusal(submission.model(), submission.endpoint())));
		}
		if (submission.count() < this.settings.minRecords()) {
			return Mono.error(new ApiError(400, "invalid_request_error", TOO_FEW_REQUESTS, "the batch has "
					+ submission.count() + " requests; Bedrock runs a job of at least " + this.settings.minRecords()
					+ " (its quota 'Minimum number of records per batch inference job', set for the "
					+ "provider as min-records; with small-batches: executed, Ferry runs smaller batches " + "itself)",
					submission.inline() ? "requests" : "input_file_id", null));
		}
		return CallerHeaders.current()
			.map((caller) -> caller.idempotencyKey()
				.map((key) -> Sha256.hex(caller.principal() + "\n" + key).substring(0, 24))
				.orElse(""))
			.flatMap((keyed) -> {
				// With an Idempotency-Key, the folder and the job's client request token
				// are derived from it: a repeated create writes the same object and
				// Bedrock answers it with the job it already made.
				String folder = jobName(submission.name()) + "-" + (keyed.isEmpty() ? RandomIds.hex(4) : keyed);
				Mono<JsonNode> job = submit(submission, body, folder);
				return keyed.isEmpty() ? job : job.onErrorMap((failure) -> ApiErrors.from(failure).repeatableByKey());
			});
	}

	/**
	 * Writes the records to S3, then makes the job; its token is the folder's name, so
	 * the create call, and it alone, is repeated after an answer that says Bedrock was
	 * briefly unable.
	 */
	private Mono<JsonNode> submit(JobSubmission submission, BedrockRecords.Body body, String folder) {
		// Bedrock names each output after its input; Messages requests are read back as
		// messages, so their input is named for them.
		String inputName = submission.endpoint().equals(BedrockRecords.MESSAGES) ? MESSAGES_INPUT : "input.jsonl";
		S3Location input = this.settings.input().child(folder + "/" + inputName);
		S3Location output = this.settings.output().child(folder + "/");
		Flux<byte[]> lines = submission.requests()
			.get()
			.map((request) -> this.mapper.writeValueAsBytes(line(request, submission.model(), submission.endpoint())));
		Mono<CreateModelInvocationJobResponse> create = call(() -> this.bedrock
			.createModelInvocationJob((job) -> job.jobName(folder)
				.roleArn(this.settings.roleArn())
				.modelId(submission.model())
				.clientRequestToken(folder)
				.modelInvocationType((body == BedrockRecords.Body.CONVERSE) ? ModelInvocationType.CONVERSE
						: ModelInvocationType.INVOKE_MODEL)
				.inputDataConfig(
						(in) -> in.s3InputDataConfig((s3) -> s3.s3Uri(input.uri()).s3InputFormat(S3InputFormat.JSONL)))
				.outputDataConfig((out) -> out.s3OutputDataConfig((s3) -> s3.s3Uri(output.uri())))))
			.retryWhen(Retry.backoff(CREATE_RETRIES, Duration.ofMillis(200))
				.filter(UpstreamFailures::isTransient)
				.onRetryExhaustedThrow((spec, signal) -> signal.failure()));
		return lines.reduce(0L, (size, line) -> size + line.length + 1)
			.flatMap((size) -> call(() -> this.s3.putObject(
					(put) -> put.bucket(input.bucket())
						.key(input.key())
						.contentLength(size)
						.contentType("application/jsonl"),
					AsyncRequestBody.fromPublisher(lines.map((line) -> ByteBuffer.wrap(withNewline(line)))))))
			.then(create)
			.flatMap((created) -> retrieve(created.jobArn().substring(created.jobArn().lastIndexOf('/') + 1)));
	}

	private static byte[] withNewline(byte[] line) {
		byte[] framed = java.util.Arrays.copyOf(line, line.length + 1);
		framed[line.length] = '\n';
		return framed;
	}

	/**
	 * A job name Bedrock takes: letters, digits and dashes, short enough that with
	 * Ferry's suffix it stays within Bedrock's 63 characters after the first run of
	 * letters.
	 */
	private static String jobName(String name) {
		String cleaned = name.replaceAll("[^A-Za-z0-9-]", "-").replaceAll("^-+", "");
		return cleaned.isEmpty() ? "ferry" : cleaned.substring(0, Math.min(cleaned.length(), 36));
	}

	@Override
	public Mono<JsonNode> retrieve(String jobId) {
		return call(() -> this.bedrock.getModelInvocationJob((get) -> get.jobIdentifier(jobId))).map(this::json)
			.flatMap(this::withManifestCounts);
	}

	/**
	 * An ended job whose answer carries no record counts, with the counts of the manifest
	 * Bedrock writes beside its output ({@code manifest.json.out}), or, without one, of
	 * its output lines, so that a job that ended {@code Completed} with every record
	 * errored shows them as failed.
	 */
	private Mono<JsonNode> withManifestCounts(JsonNode job) {
		if (job.has("totalRecordCount") || !status(job.path("status").asString("")).isTerminal()
				|| !job.path("outputS3Uri").isString()) {
			return Mono.just(job);
		}
		S3Location manifest = S3Location.parse(job.path("outputS3Uri").asString())
			.child(id(job) + "/manifest.json.out");
		return DataBufferUtils.join(download(manifest.bucket(), manifest.key())).map((buffer) -> {
			try {
				byte[] bytes = new byte[buffer.readableByteCount()];
				buffer.read(bytes);
				JsonNode counts = this.mapper.readTree(bytes);
				ObjectNode merged = ((ObjectNode) job).deepCopy();
				for (String field : new String[] { "totalRecordCount", "processedRecordCount", "successRecordCount",
						"errorRecordCount" }) {
					if (counts.path(field).canConvertToLong()) {
						merged.put(field, counts.path(field).asLong());
					}
				}
				return (JsonNode) merged;
			}
			finally {
				DataBufferUtils.release(buffer);
			}
		})
			.onErrorResume(ApiError.class,
					(error) -> (error.status() == 404) ? countedFromOutput(job) : Mono.error(error))
			.defaultIfEmpty(job);
	}

	/**
	 * An ended job without counts or a manifest, with counts from its output lines: the
	 * output is read through once, line by line, rather than trusting its status.
	 */
	private Mono<JsonNode> countedFromOutput(JsonNode job) {
		return results(job).reduce(new long[2], (counts, result) -> {
			counts[result.succeeded() ? 0 : 1]++;
			return counts;
		}).map((counts) -> {
			ObjectNode counted = ((ObjectNode) job).deepCopy();
			counted.put("totalRecordCount", counts[0] + counts[1])
				.put("processedRecordCount", counts[0] + counts[1])
				.put("successRecordCount", counts[0])
				.put("errorRecordCount", counts[1]);
			return (JsonNode) counted;
		});
	}

	/** The job as Ferry reads it: the service model's fields, times in Unix seconds. */
	private JsonNode json(GetModelInvocationJobResponse job) {
		ObjectNode node = this.mapper.createObjectNode()
			.put("jobArn", job.jobArn())
			.put("jobName", job.jobName())
			.put("modelId", job.modelId())
			.put("status", job.statusAsString())
			.put("modelInvocationType", job.modelInvocationTypeAsString())
			.put("message", job.message());
		seconds(node, "submitTime", job.submitTime());
		seconds(node, "endTime", job.endTime());
		seconds(node, "jobExpirationTime", job.jobExpirationTime());
		count(node, "totalRecordCount", job.totalRecordCount());
		count(node, "processedRecordCount", job.processedRecordCount());
		count(node, "successRecordCount", job.successRecordCount());
		count(node, "errorRecordCount", job.errorRecordCount());
		if (job.inputDataConfig() != null && job.inputDataConfig().s3InputDataConfig() != null) {
			node.put("inputS3Uri", job.inputDataConfig().s3InputDataConfig().s3Uri());
		}
		if (job.outputDataConfig() != null && job.outputDataConfig().s3OutputDataConfig() != null) {
			node.put("outputS3Uri", job.outputDataConfig().s3OutputDataConfig().s3Uri());
		}
		return node;
	}

	private static void seconds(ObjectNode node, String field, @Nullable Instant time) {
		if (time != null) {
			node.put(field, time.getEpochSecond());
		}
	}

	private static void count(ObjectNode node, String field, @Nullable Long value) {
		if (value != null) {
			node.put(field, value);
		}
	}

	/**
	 * Bedrock's list covers every job of the account; Ferry lists the ones it created.
	 */
	@Override
	public Flux<JsonNode> list() {
		return Flux.empty();
	}

	@Override
	public boolean lists() {
		return false;
	}

	@Override
	public Mono<JsonNode> cancel(String jobId) {
		return call(() -> this.bedrock.stopModelInvocationJob((stop) -> stop.jobIdentifier(jobId)))
			.then(retrieve(jobId));
	}

	/** Bedrock keeps its jobs; their input and output objects are deleted. */
	@Override
	public Mono<Void> delete(String jobId) {
		return retrieve(jobId)
			.flatMapMany((job) -> Flux.just(job.path("inputS3Uri"), job.path("outputS3Uri"))
				.filter(JsonNode::isString)
				.map((uri) -> S3Location.parse(uri.asString()))
				.concatMap((location) -> objects(location.parent()).concatMap((object) -> call(
						() -> this.s3.deleteObject((delete) -> delete.bucket(location.bucket()).key(object.key()))))))
			.then();
	}

	/** The objects under a location's key prefix, page after page. */
	private Flux<S3Object> objects(S3Location location) {
		return Flux.defer(() -> Flux
			.from(this.s3.listObjectsV2Paginator((list) -> list.bucket(location.bucket()).prefix(location.key()))
				.contents()))
			.subscribeOn(this.blocking);
	}

	@Override
	public String id(JsonNode job) {
		String arn = job.path("jobArn").asString("");
		return arn.substring(arn.lastIndexOf('/') + 1);
	}

	@Override
	public JobState state(JsonNode job) {
		String nativeStatus = job.path("status").asString("");
		BatchStatus status = status(nativeStatus);
		long total = job.path("totalRecordCount").asLong(0);
		long succeeded = job.path("successRecordCount").asLong(0);
		long failed = job.path("errorRecordCount").asLong(0);
		long processed = Math.max(job.path("processedRecordCount").asLong(0), succeeded + failed);
		RequestCounts counts = JobState.counts(status, total, succeeded, failed, processed);
		Long created = JobTimes.seconds(job, "submitTime");
		Long ended = JobTimes.seconds(job, "endTime");
		BatchTimes times = new BatchTimes((created != null) ? created : 0,
				(status == BatchStatus.VALIDATING) ? null : created, JobTimes.seconds(job, "jobExpirationTime"), null,
				(status == BatchStatus.COMPLETED) ? ended : null, (status == BatchStatus.FAILED) ? ended : null,
				(status == BatchStatus.EXPIRED) ? ended : null, null, (status == BatchStatus.CANCELLED) ? ended : null,
				null);
		List<BatchError> errors = new ArrayList<>();
		if (status == BatchStatus.FAILED && job.path("message").isString()) {
			errors.add(new BatchError("batch_failed", job.path("message").asString(), null, null));
		}
		return new JobState(status, nativeStatus, counts, times, errors, endpoint(job),
				job.path("modelId").asString(""), null, null);
	}

	/**
	 * OpenAI's status for Bedrock's ten. {@code PartiallyCompleted} is {@code completed},
	 * with the records Bedrock could not process in time counted as failed; a status
	 * Bedrock adds later reads as {@code in_progress}.
	 * @param status Bedrock's status
	 * @return OpenAI's
	 */
	static BatchStatus status(String status) {
		return switch (status) {
			case "Submitted", "Validating", "Scheduled" -> BatchStatus.VALIDATING;
			case "Completed", "PartiallyCompleted" -> BatchStatus.COMPLETED;
			case "Failed" -> BatchStatus.FAILED;
			case "Stopping" -> BatchStatus.CANCELLING;
			case "Stopped" -> BatchStatus.CANCELLED;
			case "Expired" -> BatchStatus.EXPIRED;
			default -> BatchStatus.IN_PROGRESS;
		};
	}

	/**
	 * The job's {@code *.jsonl.out} objects (its manifest left out), each read as it
	 * downloads: {@code {recordId, modelInput, modelOutput | error}}.
	 */
	@Override
	public Flux<ResultLine> results(JsonNode job) {
		if (!job.path("outputS3Uri").isString()) {
			return Flux.empty();
		}
		S3Location output = S3Location.parse(job.path("outputS3Uri").asString()).child(id(job) + "/");
		Long ended = JobTimes.seconds(job, "endTime");
		Function<JsonNode, ResultLine> reader = this.records.reader(job.path("modelId").asString(""), body(job),
				endpoint(job).equals(BedrockRecords.MESSAGES), id(job), (ended != null) ? ended : 0);
		return objects(output).map(S3Object::key)
			.filter((key) -> key.endsWith(".out") && !key.substring(key.lastIndexOf('/') + 1).startsWith("manifest"))
			.concatMap((key) -> JsonLines.frame(download(output.bucket(), key), this.maxLineBytes))
			.map((line) -> reader.apply(this.mapper.readTree(line.text())));
	}

	/**
	 * The body a job's records are in: Converse requests where the job says so, else the
	 * model's own.
	 */
	private static BedrockRecords.Body body(JsonNode job) {
		if (job.path("modelInvocationType").asString("").equals("Converse")) {
			return BedrockRecords.Body.CONVERSE;
		}
		String model = job.path("modelId").asString("");
		BedrockRecords.Body embeddings = BedrockRecords.body(model, BedrockRecords.EMBEDDINGS);
		BedrockRecords.Body chat = BedrockRecords.body(model, BedrockRecords.CHAT);
		return (embeddings != null) ? embeddings : (chat != null) ? chat : BedrockRecords.Body.CLAUDE;
	}

	/** The endpoint a job's requests targeted, as Ferry made it. */
	private static String endpoint(JsonNode job) {
		BedrockRecords.Body body = body(job);
		if (body == BedrockRecords.Body.TITAN || body == BedrockRecords.Body.COHERE_EMBED) {
			return BedrockRecords.EMBEDDINGS;
		}
		return job.path("inputS3Uri").asString("").endsWith("/" + MESSAGES_INPUT) ? BedrockRecords.MESSAGES
				: BedrockRecords.CHAT;
	}

	private Flux<DataBuffer> download(String bucket, String key) {
		return call(
				() -> this.s3.getObject((get) -> get.bucket(bucket).key(key), AsyncResponseTransformer.toPublisher()))
			.flatMapMany(Flux::from)
			.map(DefaultDataBufferFactory.sharedInstance::wrap);
	}

	/**
	 * Runs an SDK call, started on the bounded scheduler; the SDK's own failures become
	 * Ferry's errors with their status and message.
	 */
	private <T> Mono<T> call(Supplier<CompletableFuture<T>> call) {
		return Mono.defer(() -> Mono.fromFuture(call.get()))
			.subscribeOn(this.blocking)
			.onErrorMap(java.util.concurrent.CompletionException.class,
					(ex) -> (ex.getCause() != null) ? ex.getCause() : ex)
			.onErrorMap(software.amazon.awssdk.awscore.exception.AwsServiceException.class, BedrockApi::apiError)
			.onErrorMap(SdkClientException.class, BedrockApi::unreachable);
	}

	/**
	 * A failure to get an answer from AWS: a 504 for a timeout, a 502 otherwise, with the
	 * SDK's failure behind it.
	 */
	private static ApiError unreachable(SdkClientException ex) {
		boolean timeout = ex instanceof ApiCallTimeoutException || ex instanceof ApiCallAttemptTimeoutException
				|| UpstreamFailures.isTimeout(ex);
		ApiError error = timeout
				? new ApiError(504, "api_error", "upstream_timeout", "AWS did not answer in time", null, null)
				: new ApiError(502, "api_error", "upstream_unreachable", "AWS could not be reached: " + ex.getMessage(),
						null, null);
		error.initCause(ex);
		return error;
	}

	private static ApiError apiError(software.amazon.awssdk.awscore.exception.AwsServiceException ex) {
		int status = ex.statusCode();
		String code = (ex.awsErrorDetails() != null) ? ex.awsErrorDetails().errorCode() : null;
		String message = (ex.awsErrorDetails() != null && ex.awsErrorDetails().errorMessage() != null)
				? ex.awsErrorDetails().errorMessage() : ex.getMessage();
		String type = (status == 429) ? "rate_limit_error"
				: (status >= 500) ? "api_error" : (status == 404) ? "not_found_error" : "invalid_request_error";
		ApiError error = new ApiError((status > 0) ? status : 502, type,
				(code != null) ? code.toLowerCase(Locale.ROOT) : null, message, null, null);
		return (ex instanceof BedrockException || status > 0) ? error.answeredByUpstream(null) : error;
	}

	/**
	 * What a Bedrock provider is configured with.
	 *
	 * @param roleArn the role Bedrock assumes
	 * @param input where input is written
	 * @param output where Bedrock writes results
	 * @param minRecords the fewest records a job takes
	 * @param defaultMaxTokens {@code max_tokens} for Claude requests that set none
	 */
	record Settings(String roleArn, S3Location input, S3Location output, int minRecords, int defaultMaxTokens) {
	}

	/**
	 * A bucket and a key, or key prefix.
	 *
	 * @param bucket the bucket
	 * @param key the key, without a leading slash
	 */
	record S3Location(String bucket, String key) {

		static S3Location parse(String uri) {
			if (!uri.startsWith("s3://") || uri.indexOf('/', 5) < 0 && uri.length() <= 5) {
				throw new IllegalArgumentException("not an s3:// URI: " + uri);
			}
			String rest = uri.substring("s3://".length());
			int slash = rest.indexOf('/');
			return (slash < 0) ? new S3Location(rest, "")
					: new S3Location(rest.substring(0, slash), rest.substring(slash + 1));
		}

		S3Location child(String name) {
			String base = (this.key.isEmpty() || this.key.endsWith("/")) ? this.key : this.key + "/";
			return new S3Location(this.bucket, base + name);
		}

		/** The folder an object is in, or this prefix itself. */
		S3Location parent() {
			return this.key.endsWith("/") ? this
					: new S3Location(this.bucket, this.key.substring(0, this.key.lastIndexOf('/') + 1));
		}

		String uri() {
			return "s3://" + this.bucket + "/" + this.key;
		}

	}

}
