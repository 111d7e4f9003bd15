package dev.ferry.provider.gemini;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;

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
import dev.ferry.batch.RequestCounts;
import dev.ferry.files.InputRequest;
import dev.ferry.provider.jobs.JobApi;
import dev.ferry.provider.jobs.JobClient;
import dev.ferry.provider.jobs.JobState;
import dev.ferry.provider.jobs.JobSubmission;
import dev.ferry.provider.jobs.JobTimes;
import dev.ferry.provider.jobs.ResultLine;
import dev.ferry.results.JsonLines;
import dev.ferry.translate.ChatToGemini;
import dev.ferry.translate.ChatToMessages.TranslationException;
import dev.ferry.translate.GeminiToChat;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.BodyInserters;

/**
 * Gemini's batch mode on the wire. A batch goes up as a JSONL file of {@code {key,
 * request}} lines, the key carrying the {@code custom_id} and the request translated into
 * Gemini's shape, through the File API's resumable protocol in one streamed request (its
 * size is counted in a first pass, as the protocol asks for it up front); then a batch
 * operation on the file, on the model's {@code :batchGenerateContent} or
 * {@code :asyncBatchEmbedContent}. Even inline requests go up as a file: Gemini's inline
 * mode has been reported to drop the {@code metadata} that would carry their ids and to
 * reorder its answers, where the file mode echoes each {@code key}. Results are read from
 * the responses file as it downloads, or from inline responses where Gemini gives those.
 */
final class GeminiApi implements JobApi {

	static final String CHAT = "/v1/chat/completions";

	static final String EMBEDDINGS = "/v1/embeddings";

	/** The largest file the File API takes, and so the largest batch input. */
	static final long MAX_FILE_BYTES = 2L * 1024 * 1024 * 1024;

	/** Gemini expires a batch still pending or running 48 hours after its creation. */
	private static final long EXPIRY_SECONDS = 48 * 3600;

	private static final String BATCHES = "batches/";

	private final JobClient client;

	private final JsonMapper mapper;

	private final int maxLineBytes;

	private final ChatToGemini toGemini;

	private final GeminiToChat fromGemini;

	GeminiApi(JobClient client, JsonMapper mapper, int maxLineBytes) {
		this.client = client;
		this.mapper = mapper;
		this.maxLineBytes = maxLineBytes;
		this.toGemini = new ChatToGemini(mapper);
		this.fromGemini = new GeminiToChat(mapper);
	}

	@Override
	public ProviderDescriptor descriptor() {
		return GeminiFamily.DESCRIPTOR;
	}

	@Override
	public void check(InputRequest request, String endpoint) {
		JsonNode model = request.body().path("model");
		if (model.isString() && !batches(model.asString(), endpoint)) {
			throw request.refused(modelRefusal(model.asString(), endpoint));
		}
		line(request, endpoint);
	}

	/**
	 * Whether Gemini's batch mode runs a model for an endpoint: Gemini models for chat,
	 * Gemini embedding models for embeddings.
	 */
	private static boolean batches(String model, String endpoint) {
		String id = modelId(model);
		return endpoint.equals(EMBEDDINGS) ? id.startsWith("gemini-embedding") : id.startsWith("gemini-");
	}

	private static String modelRefusal(String model, String endpoint) {
		return "model '"
				+ model + "': Gemini's batch mode runs " + (endpoint.equals(EMBEDDINGS)
						? "Gemini embedding models (gemini-embedding-…)" : "Gemini models (gemini-…)")
				+ " for " + endpoint;
	}

	/** The request as a line of Gemini's input file: {@code {key, request}}. */
	private ObjectNode line(InputRequest request, String endpoint) {
		ObjectNode line = this.mapper.createObjectNode().put("key", request.customId());
		try {
			line.set("request", endpoint.equals(EMBEDDINGS) ? this.toGemini.embedding(request.body())
					: this.toGemini.chat(request.body()));
		}
		catch (TranslationException ex) {
			throw request.refused(ex.getMessage());
		}
		return line;
	}

	@Override
	public Mono<JsonNode> submit(JobSubmission submission) {
		if (!batches(submission.model(), submission.endpoint())) {
			return Mono.error(ApiError.invalid("model", modelRefusal(submission.model(), submission.endpoint())));
		}
		Flux<byte[]> lines = submission.requests()
			.get()
			.map((request) -> this.mapper.writeValueAsBytes(line(request, submission.endpoint())));
		// Each line and its newline.
		return lines.reduce(0L, (size, line) -> size + line.length + 1).flatMap((size) -> {
			if (size > MAX_FILE_BYTES) {
				return Mono.error(ApiError.invalid("input_file_id",
						"the batch is " + size + " bytes in Gemini's shape; Gemini takes input files of at most "
								+ MAX_FILE_BYTES + " bytes"));
			}
			return upload(submission.name(), size, lines.map(JsonLines::line));
		}).flatMap((fileName) -> {
			ObjectNode batch = this.mapper.createObjectNode();
			ObjectNode body = batch.putObject("batch").put("displayName", submission.name());
			body.putObject("inputConfig").put("fileName", fileName);
			String method = submission.endpoint().equals(EMBEDDINGS) ? "asyncBatchEmbedContent"
					: "batchGenerateContent";
			return this.client
				.create((uri) -> uri.path("/v1beta/models/{model}:" + method).build(modelId(submission.model())), batch)
				.onErrorMap(ApiError.class, (error) -> (error.status() == 429) ? error.withMessage(error.getMessage()
						+ " (Gemini's batch quota: at most 100 batches running at once per project, and a limit on "
						+ "the tokens enqueued per model; retry once a batch has ended)") : error);
		});
	}

	/**
	 * Uploads the file with the resumable protocol: a start that names its size and type
	 * and answers with an upload URL, then every byte in one {@code upload, finalize}.
	 * @return the file's name, {@code files/…}
	 */
	private Mono<String> upload(String name, long size, Flux<DataBuffer> content) {
		ObjectNode file = this.mapper.createObjectNode();
		file.putObject("file").put("displayName", name);
		return this.client
			.exchange((web) -> web.post()
				.uri("/upload/v1beta/files")
				.header("X-Goog-Upload-Protocol", "resumable")
				.header("X-Goog-Upload-Command", "start")
				.header("X-Goog-Upload-Header-Content-Length", Long.toString(size))
				.header("X-Goog-Upload-Header-Content-Type", "application/jsonl")
				.contentType(MediaType.APPLICATION_JSON)
				.bodyValue(this.mapper.writeValueAsBytes(file)))
			.flatMap((started) -> {
				String uploadUrl = started.getHeaders().getFirst("x-goog-upload-url");
				if (uploadUrl == null) {
					return Mono.error(new ApiError(502, "api_error", "bad_upstream_response",
							"Gemini's File API answered the upload's start without an x-goog-upload-url", null, null));
				}
				return this.client.exchange((web) -> web.post()
					.uri(URI.create(uploadUrl))
					.header("X-Goog-Upload-Command", "upload, finalize")
					.header("X-Goog-Upload-Offset", "0")
					.contentLength(size)
					.contentType(MediaType.parseMediaType("application/jsonl"))
					.body(BodyInserters.fromDataBuffers(content)));
			})
			.map((finished) -> finished.getBody().path("file").path("name").asString(""));
	}

	/** A model as Gemini's paths name it, without the {@code models/} prefix. */
	private static String modelId(String model) {
		return model.startsWith("models/") ? model.substring("models/".length()) : model;
	}

	@Override
	public Mono<JsonNode> retrieve(String jobId) {
		return this.client.get((uri) -> uri.path("/v1beta/batches/{id}").build(jobId));
	}

	/**
	 * Gemini documents no order for its batch list, so Ferry lists the batches it
	 * created, newest first.
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
		return this.client.postIdempotent((uri) -> uri.path("/v1beta/batches/{id}:cancel").build(jobId))
			.then(retrieve(jobId));
	}

	@Override
	public Mono<Void> delete(String jobId) {
		return this.client.delete((uri) -> uri.path("/v1beta/batches/{id}").build(jobId))
			.then()
			.onErrorResume(ApiError.class, (error) -> (error.status() == 404) ? Mono.empty() : Mono.error(error));
	}

	@Override
	public String id(JsonNode job) {
		String name = job.path("name").asString("");
		return name.startsWith(BATCHES) ? name.substring(BATCHES.length()) : name;
	}

	@Override
	public JobState state(JsonNode job) {
		JsonNode batch = batch(job);
		String nativeState = batch.path("state").asString("");
		BatchStatus status = job.path("error").isObject() ? BatchStatus.FAILED : GoogleJobStates.status(nativeState);
		JsonNode stats = batch.path("batchStats");
		long total = stats.path("requestCount").asLong(0);
		long succeeded = stats.path("successfulRequestCount").asLong(0);
		long failed = stats.path("failedRequestCount").asLong(0);
		long pending = stats.path("pendingRequestCount").asLong(total - succeeded - failed);
		RequestCounts counts = JobState.counts(status, total, succeeded, failed, Math.max(0, total - pending));
		Long created = JobTimes.seconds(batch, "createTime");
		Long ended = JobTimes.seconds(batch, "endTime");
		if (ended == null && status.isTerminal()) {
			ended = JobTimes.seconds(batch, "updateTime");
		}
		BatchTimes times = new BatchTimes((created != null) ? created : 0,
				(status == BatchStatus.VALIDATING || created == null) ? null : created,
				(created != null) ? created + EXPIRY_SECONDS : null, null,
				(status == BatchStatus.COMPLETED) ? ended : null, (status == BatchStatus.FAILED) ? ended : null,
				(status == BatchStatus.EXPIRED) ? ended : null, null, (status == BatchStatus.CANCELLED) ? ended : null,
				null);
		List<BatchError> errors = new ArrayList<>();
		if (job.path("error").isObject()) {
			errors.add(new BatchError(job.path("error").path("status").asString("batch_failed"),
					job.path("error").path("message").asString(""), null, null));
		}
		String type = batch.path("@type").asString("");
		return new JobState(status, nativeState, counts, times, errors, type.contains("Embed") ? EMBEDDINGS : CHAT,
				modelId(batch.path("model").asString("")), null, null);
	}

	/**
	 * The batch inside an operation ({@code metadata}), or the batch itself where Gemini
	 * answers with one.
	 */
	private static JsonNode batch(JsonNode job) {
		return job.path("metadata").isObject() ? job.path("metadata") : job;
	}

	/**
	 * The responses file's lines as they download, or the inline responses: each
	 * {@code {key, response}} or {@code {key, error}}, read as an OpenAI output or error
	 * line.
	 */
	@Override
	public Flux<ResultLine> results(JsonNode job) {
		JsonNode output = job.path("response").isObject() ? job.path("response") : batch(job).path("output");
		String model = modelId(batch(job).path("model").asString(""));
		Long ended = JobTimes.seconds(batch(job), "endTime");
		long created = (ended != null) ? ended : 0;
		String file = output.path("responsesFile").asString("");
		if (!file.isEmpty()) {
			return this.client
				.download(
						(uri) -> uri.path("/download/v1beta/" + file + ":download").queryParam("alt", "media").build())
				.flatMapMany((body) -> JsonLines.frame(body, this.maxLineBytes))
				.map((line) -> {
					JsonNode row = this.mapper.readTree(line.text());
					return result(row.path("key").asString(""), row, model, created);
				});
		}
		// Translated one by one as they are read, not all first.
		return Flux.just("inlinedResponses", "inlinedEmbedContentResponses")
			.concatMapIterable((field) -> output.path(field).path(field))
			.map((item) -> result(item.path("metadata").path("key").asString(""), item, model, created));
	}

	private ResultLine result(String key, JsonNode row, String model, long created) {
		ObjectNode line = this.mapper.createObjectNode().put("id", "batch_req_" + key).put("custom_id", key);
		JsonNode error = row.path("error");
		if (error.isObject()) {
			line.putNull("response");
			line.putObject("error")
				.put("code", error.path("status").asString(Integer.toString(GeminiToChat.httpStatus(error))))
				.put("message", error.path("message").asString(""));
			return new ResultLine(false, line);
		}
		JsonNode response = row.path("response");
		ObjectNode body = response.has("embedding") ? this.fromGemini.embedding(response, model)
				: this.fromGemini.completion(response, model, created, "gemini-" + key);
		ObjectNode answer = line.putObject("response").put("status_code", 200);
		answer.set("request_id", textOrNull(response.path("responseId")));
		answer.set("body", body);
		line.putNull("error");
		return new ResultLine(true, line);
	}

	private @Nullable JsonNode textOrNull(JsonNode node) {
		return node.isString() ? node : this.mapper.nullNode();
	}

}
