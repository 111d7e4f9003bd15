package dev.ferry.provider.vertex;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.core.JacksonException;
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
import dev.ferry.provider.gemini.GoogleJobStates;
import dev.ferry.provider.jobs.JobApi;
import dev.ferry.provider.jobs.JobClient;
import dev.ferry.provider.jobs.JobState;
import dev.ferry.provider.jobs.JobSubmission;
import dev.ferry.provider.jobs.JobTimes;
import dev.ferry.provider.jobs.ResultLine;
import dev.ferry.results.JsonLines;
import dev.ferry.translate.AnthropicResultToChat;
import dev.ferry.translate.ChatToGemini;
import dev.ferry.translate.ChatToMessages;
import dev.ferry.translate.ChatToMessages.TranslationException;
import dev.ferry.translate.GeminiToChat;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.BodyInserters;

/**
 * Vertex AI batch prediction on the wire. A batch is written to the staging bucket as a
 * JSONL object (Cloud Storage's JSON API, one streamed upload whose size a first pass
 * counts) in the model's own shape: for Gemini models {@code {request}} with the
 * {@code custom_id} in the request's labels ({@link CustomIdLabels}), for Claude models
 * {@code {custom_id, request}} with Anthropic Messages params and
 * {@code anthropic_version: vertex-2023-10-16}. A batch prediction job reads it and
 * writes its predictions under an output prefix beside it; every {@code *.jsonl} object
 * there is read, as it downloads, as OpenAI output and error lines. Deleting an ended
 * batch deletes the job and its staged objects.
 */
final class VertexApi implements JobApi {

	static final String CHAT = "/v1/chat/completions";

	static final String ANTHROPIC_VERSION = "vertex-2023-10-16";

	private final JobClient client;

	private final JsonMapper mapper;

	private final int maxLineBytes;

	private final Settings settings;

	private final ChatToGemini toGemini;

	private final ChatToMessages toMessages;

	private final GeminiToChat fromGemini;

	private final AnthropicResultToChat fromClaude;

	VertexApi(JobClient client, JsonMapper mapper, int maxLineBytes, Settings settings) {
		this.client = client;
		this.mapper = mapper;
		this.maxLineBytes = maxLineBytes;
		this.settings = settings;
		this.toGemini = new ChatToGemini(mapper);
		this.toMessages = new ChatToMessages(mapper, settings.defaultMaxTokens());
		this.fromGemini = new GeminiToChat(mapper);
		this.fromClaude = new AnthropicResultToChat(mapper);
	}

	@Override
	public ProviderDescriptor descriptor() {
		return VertexFamily.DESCRIPTOR;
	}

	@Override
	public void check(InputRequest request, String endpoint) {
		JsonNode model = request.body().path("model");
		if (model.isString()) {
			if (!runs(model.asString())) {
				throw request.refused(modelRefusal(model.asString()));
			}
			line(request, model.asString());
		}
	}

	/**
	 * Whether Ferry runs a model on Vertex: Gemini and Claude models by name, or any
	 * model by its full resource name.
	 */
	private static boolean runs(String model) {
		return model.startsWith("gemini-") || model.startsWith("claude-") || model.startsWith("publishers/")
				|| model.startsWith("projects/");
	}

	private static String modelRefusal(String model) {
		return "model '" + model + "': Ferry runs Gemini (gemini-…) and Claude (claude-…) models on Vertex, or a "
				+ "model by its resource name (publishers/…/models/…, projects/…/models/…)";
	}

	/** A request as a line of the staged input, in the shape of its model. */
	private ObjectNode line(InputRequest request, String model) {
		ObjectNode line = this.mapper.createObjectNode();
		try {
			if (claude(model)) {
				ObjectNode params = this.toMessages.translate(request.body(), model);
				params.remove("model");
				params.put("anthropic_version", ANTHROPIC_VERSION);
				line.put("custom_id", request.customId()).set("request", params);
			}
			else {
				ObjectNode generate = this.toGemini.chat(request.body());
				CustomIdLabels.label(generate, request.customId());
				line.set("request", generate);
			}
		}
		catch (TranslationException ex) {
			throw request.refused(ex.getMessage());
		}
		return line;
	}

	/** Claude models are Anthropic's publisher models; every other is Google's. */
	private static boolean claude(String model) {
		return model.startsWith("claude") || model.contains("publishers/anthropic/");
	}

	/** The model as a batch prediction job names it. */
	private static String modelPath(String model) {
		if (model.startsWith("publishers/") || model.startsWith("projects/")) {
			return model;
		}
		return (claude(model) ? "publishers/anthropic/models/" : "publishers/google/models/") + model;
	}

	@Override
	public Mono<JsonNode> submit(JobSubmission submission) {
		if (!runs(submission.model())) {
			return Mono.error(ApiError.invalid("model", modelRefusal(submission.model())));
		}
		String folder = this.settings.gcsPrefix() + submission.name() + "-" + RandomIds.hex(4) + "/";
		Flux<byte[]> lines = submission.requests()
			.get()
			.map((request) -> this.mapper.writeValueAsBytes(line(request, submission.model())));
		// Each line and its newline; every request is translated here before any upload.
		return lines.reduce(0L, (size, line) -> size + line.length + 1)
			.flatMap((size) -> upload(folder + "input.jsonl", size, lines.map(JsonLines::line)))
			.then(Mono.defer(() -> {
				ObjectNode job = this.mapper.createObjectNode()
					.put("displayName", submission.name())
					.put("model", modelPath(submission.model()));
				ObjectNode input = job.putObject("inputConfig").put("instancesFormat", "jsonl");
				input.putObject("gcsSource").putArray("uris").add(gsUri(folder + "input.jsonl"));
				ObjectNode output = job.putObject("outputConfig").put("predictionsFormat", "jsonl");
				output.putObject("gcsDestination").put("outputUriPrefix", gsUri(folder + "output/"));
				return this.client.create((uri) -> uri.path(jobs()).build(), job);
			}));
	}

	/** Writes an object with Cloud Storage's simple upload, its bytes streamed. */
	private Mono<Void> upload(String object, long size, Flux<DataBuffer> content) {
		URI uri = URI.create(this.settings.gcsEndpoint() + "/upload/storage/v1/b/" + this.settings.gcsBucket()
				+ "/o?uploadType=media&name=" + encode(object));
		return this.client
			.exchange((web) -> web.post()
				.uri(uri)
				.attribute(org.springframework.web.reactive.function.client.WebClient.class.getName() + ".uriTemplate",
						"{gcs_upload}")
				.contentType(MediaType.parseMediaType("application/jsonl"))
				.contentLength(size)
				.body(BodyInserters.fromDataBuffers(content)))
			.then();
	}

	private String gsUri(String object) {
		return "gs://" + this.settings.gcsBucket() + "/" + object;
	}

	private String jobs() {
		return "/v1/projects/" + this.settings.project() + "/locations/" + this.settings.location()
				+ "/batchPredictionJobs";
	}

	@Override
	public Mono<JsonNode> retrieve(String jobId) {
		return this.client.get((uri) -> uri.path(jobs() + "/{id}").build(jobId));
	}

	/**
	 * Vertex lists every batch prediction job in the location, in no documented order, so
	 * Ferry lists the batches it created, newest first.
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
		return this.client.postIdempotent((uri) -> uri.path(jobs() + "/{id}:cancel").build(jobId))
			.then(retrieve(jobId));
	}

	/** Deletes the job, then its staged input and every prediction written for it. */
	@Override
	public Mono<Void> delete(String jobId) {
		return retrieve(jobId).flatMap((job) -> {
			List<String> prefixes = new ArrayList<>();
			for (JsonNode uri : job.path("inputConfig").path("gcsSource").path("uris")) {
				prefixes.add(uri.asString());
			}
			prefixes.add(job.path("outputConfig").path("gcsDestination").path("outputUriPrefix").asString(""));
			return this.client.delete((uri) -> uri.path(jobs() + "/{id}").build(jobId))
				.thenMany(Flux.fromIterable(prefixes))
				.filter((prefix) -> prefix.startsWith("gs://" + this.settings.gcsBucket() + "/"))
				.concatMap((prefix) -> objects(prefix))
				.concatMap((object) -> this.client.delete((uri) -> objectUri(object)))
				.then();
		}).onErrorResume(ApiError.class, (error) -> (error.status() == 404) ? Mono.empty() : Mono.error(error));
	}

	/**
	 * The objects under a {@code gs://} prefix in the staging bucket, page after page.
	 */
	private Flux<String> objects(String gsPrefix) {
		String prefix = gsPrefix.substring(("gs://" + this.settings.gcsBucket() + "/").length());
		return page(prefix, null)
			.expand((page) -> page.path("nextPageToken").isString()
					? page(prefix, page.path("nextPageToken").asString()) : Mono.empty())
			.concatMapIterable((page) -> page.path("items"))
			.map((item) -> item.path("name").asString(""));
	}

	private Mono<JsonNode> page(String prefix, @Nullable String token) {
		String query = "?prefix=" + encode(prefix) + ((token != null) ? "&pageToken=" + encode(token) : "");
		return this.client.get((uri) -> URI
			.create(this.settings.gcsEndpoint() + "/storage/v1/b/" + this.settings.gcsBucket() + "/o" + query));
	}

	private URI objectUri(String object) {
		return URI.create(
				this.settings.gcsEndpoint() + "/storage/v1/b/" + this.settings.gcsBucket() + "/o/" + encode(object));
	}

	private static String encode(String text) {
		return URLEncoder.encode(text, StandardCharsets.UTF_8).replace("+", "%20");
	}

	@Override
	public String id(JsonNode job) {
		String name = job.path("name").asString("");
		return name.substring(name.lastIndexOf('/') + 1);
	}

	@Override
	public JobState state(JsonNode job) {
		String nativeState = job.path("state").asString("");
		BatchStatus status = GoogleJobStates.status(nativeState);
		JsonNode stats = job.path("completionStats");
		long succeeded = stats.path("successfulCount").asLong(0);
		long failed = stats.path("failedCount").asLong(0);
		long incomplete = stats.path("incompleteCount").asLong(0);
		long total = succeeded + failed + incomplete;
		RequestCounts counts = JobState.counts(status, total, succeeded, failed, succeeded + failed);
		Long created = JobTimes.seconds(job, "createTime");
		Long ended = JobTimes.seconds(job, "endTime");
		BatchTimes times = new BatchTimes((created != null) ? created : 0, JobTimes.seconds(job, "startTime"), null,
				null, (status == BatchStatus.COMPLETED) ? ended : null, (status == BatchStatus.FAILED) ? ended : null,
				(status == BatchStatus.EXPIRED) ? ended : null, null, (status == BatchStatus.CANCELLED) ? ended : null,
				null);
		List<BatchError> errors = new ArrayList<>();
		if (job.path("error").isObject() && job.path("error").has("message")) {
			errors.add(new BatchError("batch_failed", job.path("error").path("message").asString(""), null, null));
		}
		String model = job.path("model").asString("");
		return new JobState(status, nativeState, counts, times, errors, CHAT,
				model.substring(model.lastIndexOf('/') + 1), null, null);
	}

	/**
	 * Every {@code *.jsonl} object the job wrote (a large job writes several shards, and
	 * a cancelled one those finished so far), each read as it downloads.
	 */
	@Override
	public Flux<ResultLine> results(JsonNode job) {
		String directory = job.path("outputInfo").path("gcsOutputDirectory").asString("");
		if (directory.isEmpty()) {
			return Flux.empty();
		}
		String model = job.path("model").asString("");
		boolean claude = claude(model);
		String bare = model.substring(model.lastIndexOf('/') + 1);
		Long ended = JobTimes.seconds(job, "endTime");
		long created = (ended != null) ? ended : 0;
		String batchId = id(job);
		return objects(directory.endsWith("/") ? directory : directory + "/")
			.filter((object) -> object.endsWith(".jsonl"))
			.concatMap((object) -> this.client.download(URI.create(objectUri(object) + "?alt=media"))
				.flatMapMany((body) -> JsonLines.frame(body, this.maxLineBytes)))
			.map((line) -> {
				JsonNode row = this.mapper.readTree(line.text());
				return claude ? claudeResult(row, batchId, created) : geminiResult(row, bare, created);
			});
	}

	private ResultLine geminiResult(JsonNode row, String model, long created) {
		String customId = CustomIdLabels.customId(row.path("request").path("labels"));
		ObjectNode line = this.mapper.createObjectNode().put("id", "batch_req_" + customId).put("custom_id", customId);
		String status = row.path("status").asString("");
		if (!status.isEmpty() || !row.path("response").isObject()) {
			line.putNull("response");
			line.set("error", error(status));
			return new ResultLine(false, line);
		}
		JsonNode response = row.path("response");
		ObjectNode answer = line.putObject("response").put("status_code", 200);
		answer.set("request_id",
				response.path("responseId").isString() ? response.get("responseId") : this.mapper.nullNode());
		answer.set("body", this.fromGemini.completion(response, model, created, "vertex-" + customId));
		line.putNull("error");
		return new ResultLine(true, line);
	}

	/**
	 * An Anthropic result line made of Vertex's row, then translated like Anthropic's.
	 */
	private ResultLine claudeResult(JsonNode row, String batchId, long created) {
		String customId = row.path("custom_id").asString("");
		String status = row.path("status").asString("");
		boolean succeeded = status.isEmpty() && row.path("response").isObject();
		return new ResultLine(succeeded, this.fromClaude.lineFor(customId, succeeded ? row.path("response") : null,
				anthropicErrorType(status), status.isEmpty() ? "no response" : status, batchId, created, false));
	}

	/**
	 * The Anthropic error type a Claude line's {@code status} stands for: Vertex writes
	 * the HTTP reason first ({@code Bad Request: …}), or Anthropic's own error JSON.
	 */
	private String anthropicErrorType(String status) {
		int brace = status.indexOf('{');
		if (brace >= 0) {
			try {
				JsonNode type = this.mapper.readTree(status.substring(brace)).path("error").path("type");
				if (type.isString()) {
					return type.asString();
				}
			}
			catch (JacksonException ex) {
				// Read from the reason below.
			}
		}
		String reason = status.toLowerCase(java.util.Locale.ROOT);
		if (reason.startsWith("bad request") || reason.startsWith("invalid")) {
			return "invalid_request_error";
		}
		if (reason.startsWith("too many requests") || reason.startsWith("resource exhausted")) {
			return "rate_limit_error";
		}
		if (reason.startsWith("not found")) {
			return "not_found_error";
		}
		if (reason.startsWith("permission denied") || reason.startsWith("forbidden")) {
			return "permission_error";
		}
		return reason.startsWith("overloaded") ? "overloaded_error" : "api_error";
	}

	/**
	 * A failed request's error: Vertex writes {@code status} as text, often with the
	 * upstream's JSON error after a colon ({@code Bad Request: {"error": {…}}}).
	 */
	private ObjectNode error(String status) {
		ObjectNode error = this.mapper.createObjectNode().put("code", "request_failed").put("message", status);
		int brace = status.indexOf('{');
		if (brace >= 0) {
			try {
				JsonNode parsed = this.mapper.readTree(status.substring(brace)).path("error");
				if (parsed.isObject()) {
					error.put("code", parsed.path("status").asString("request_failed"));
					error.put("message", parsed.path("message").asString(status));
				}
			}
			catch (JacksonException ex) {
				// Kept as the text it is.
			}
		}
		return error;
	}

	/**
	 * What a Vertex provider is configured with.
	 *
	 * @param project the project
	 * @param location the location
	 * @param gcsBucket the staging bucket
	 * @param gcsPrefix the prefix of staged objects
	 * @param gcsEndpoint Cloud Storage's JSON API
	 * @param defaultMaxTokens {@code max_tokens} for Claude requests that set none
	 */
	record Settings(String project, String location, String gcsBucket, String gcsPrefix, URI gcsEndpoint,
			int defaultMaxTokens) {
	}

}
