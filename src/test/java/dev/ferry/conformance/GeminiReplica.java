package dev.ferry.conformance;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import mockwebserver3.MockResponse;
import mockwebserver3.RecordedRequest;
import okhttp3.HttpUrl;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The Gemini API's batch mode (ai.google.dev/gemini-api/docs/batch-api,
 * ai.google.dev/api/ batch-api, and the python-genai client's {@code batches.py} and
 * {@code files.py}): the key in {@code x-goog-api-key}; files uploaded with the resumable
 * protocol (a {@code start} naming the size and type, answered with
 * {@code x-goog-upload-url}, then {@code upload, finalize} with exactly that many bytes);
 * input lines exactly {@code {key, request}}, the request a
 * {@code GenerateContentRequest} (or an {@code EmbedContentRequest}) without a model;
 * batches created on {@code models/{model}:batchGenerateContent} or
 * {@code :asyncBatchEmbedContent} and answered as operations whose {@code metadata} is
 * the batch ({@code BATCH_STATE_*}, its {@code batchStats} as int64 strings, RFC 3339
 * times); cancel with {@code :cancel}; delete; the responses file, {@code {key, response
 * | error}} lines, downloaded from
 * {@code /download/v1beta/files/{id}:download?alt=media}.
 *
 * <p>
 * Where it may differ from the service: the service's validation of the requests
 * themselves (this replica checks their shape only), the exact content type the upload
 * wants, and the order of answers in the responses file (the input's here, as
 * documented).
 */
final class GeminiReplica extends JobReplica {

	private static final Set<String> GENERATE_FIELDS = Set.of("contents", "systemInstruction", "tools", "toolConfig",
			"generationConfig", "safetySettings", "cachedContent");

	private final Map<String, Long> uploads = new ConcurrentHashMap<>();

	private final Map<String, List<Request>> files = new ConcurrentHashMap<>();

	private final Map<String, String> downloads = new ConcurrentHashMap<>();

	private final java.util.concurrent.atomic.AtomicReference<MockResponse> nextCreateFailure = new java.util.concurrent.atomic.AtomicReference<>();

	private final java.util.concurrent.atomic.AtomicReference<mockwebserver3.MockResponseBody> nextDownload = new java.util.concurrent.atomic.AtomicReference<>();

	GeminiReplica(String key) {
		super(key);
	}

	@Override
	List<String> createPaths() {
		return List.of("/upload/v1beta/files", "/upload/v1beta/files",
				"/v1beta/models/gemini-2.5-flash:batchGenerateContent");
	}

	/**
	 * Serves the next responses file download from this body instead of the job's
	 * results, for tests of a long download.
	 * @param body the body
	 */
	void streamNextDownload(mockwebserver3.MockResponseBody body) {
		this.nextDownload.set(body);
	}

	@Override
	String errorBody(String message) {
		ObjectNode body = object();
		body.putObject("error").put("code", 400).put("message", message).put("status", "INVALID_ARGUMENT");
		return body.toString();
	}

	@Override
	protected void checkKey(RecordedRequest request) {
		if (!key().equals(request.getHeaders().get("x-goog-api-key"))
				|| request.getHeaders().get("Authorization") != null) {
			throw refuse(401, "x-goog-api-key: " + request.getHeaders().get("x-goog-api-key"));
		}
	}

	@Override
	protected MockResponse answer(RecordedRequest request) {
		checkKey(request);
		HttpUrl url = request.getUrl();
		String path = url.encodedPath();
		String method = request.getMethod();
		if (path.equals("/upload/v1beta/files") && method.equals("POST")) {
			return (url.queryParameter("upload_id") == null) ? startUpload(request) : finishUpload(request, url);
		}
		if (path.startsWith("/download/v1beta/files/") && path.endsWith(":download") && method.equals("GET")) {
			if (!"media".equals(url.queryParameter("alt"))) {
				throw refuse(400, "a download needs alt=media");
			}
			String file = path.substring("/download/v1beta/".length(), path.length() - ":download".length());
			mockwebserver3.MockResponseBody streamed = this.nextDownload.getAndSet(null);
			if (streamed != null) {
				return new MockResponse.Builder().code(200).body(streamed).build();
			}
			String content = this.downloads.get(file);
			return (content != null) ? new MockResponse.Builder().code(200).body(content).build()
					: json(404, errorBody("file " + file + " not found"));
		}
		if (path.startsWith("/v1beta/models/") && method.equals("POST")) {
			return create(request, path.substring("/v1beta/models/".length()));
		}
		if (!path.startsWith("/v1beta/batches/")) {
			throw refuse(404, "no such path: " + path);
		}
		return googleJob(method, path, path.substring("/v1beta/batches/".length()), this::operation);
	}

	private MockResponse startUpload(RecordedRequest request) {
		var headers = request.getHeaders();
		if (!"resumable".equals(headers.get("X-Goog-Upload-Protocol"))
				|| !"start".equals(headers.get("X-Goog-Upload-Command"))
				|| headers.get("X-Goog-Upload-Header-Content-Length") == null
				|| !body(request).path("file").isObject()) {
			throw refuse(400, "a resumable start names the protocol, the command, the size and the file: " + headers);
		}
		String uploadId = "up" + nextId();
		this.uploads.put(uploadId, Long.parseLong(headers.get("X-Goog-Upload-Header-Content-Length")));
		return new MockResponse.Builder().code(200)
			.addHeader("x-goog-upload-url", server().url("/upload/v1beta/files?upload_id=" + uploadId).toString())
			.addHeader("x-goog-upload-status", "active")
			.build();
	}

	private MockResponse finishUpload(RecordedRequest request, HttpUrl url) {
		Long size = this.uploads.remove(url.queryParameter("upload_id"));
		byte[] bytes = bytes(request);
		if (size == null || !"upload, finalize".equals(request.getHeaders().get("X-Goog-Upload-Command"))
				|| !"0".equals(request.getHeaders().get("X-Goog-Upload-Offset")) || bytes.length != size) {
			throw refuse(400, "an upload finishes the session it started, from offset 0, with the size it named ("
					+ size + " bytes named, " + bytes.length + " sent)");
		}
		List<Request> requests = new ArrayList<>();
		Set<String> keys = new HashSet<>();
		for (String text : new String(bytes, StandardCharsets.UTF_8).split("\n")) {
			if (text.isBlank()) {
				continue;
			}
			JsonNode line = this.mapper.readTree(text);
			if (!new HashSet<>(line.propertyNames()).equals(Set.of("key", "request"))
					|| !keys.add(line.path("key").asString())) {
				throw refuse(400, "a line is exactly {key, request}, each key once: " + text);
			}
			requests.add(new Request(line.path("key").asString(), view(line.path("request"))));
		}
		String name = "files/f" + nextId();
		this.files.put(name, requests);
		ObjectNode file = object();
		file.putObject("file")
			.put("name", name)
			.put("mimeType", "application/jsonl")
			.put("sizeBytes", Long.toString(size));
		return new MockResponse.Builder().code(200)
			.addHeader("Content-Type", "application/json")
			.addHeader("x-goog-upload-status", "final")
			.body(file.toString())
			.build();
	}

	/**
	 * The request as the shared job logic reads it (an OpenAI-like view of its last
	 * text), once its Gemini shape has been checked.
	 */
	private JsonNode view(JsonNode request) {
		if (request.has("model")) {
			throw refuse(400, "the model is the batch's, not the request's: " + request);
		}
		if (request.path("content").isObject()) {
			return object().put("input", text(request.path("content")));
		}
		for (String field : request.propertyNames()) {
			if (!GENERATE_FIELDS.contains(field)) {
				throw refuse(400, "Invalid JSON payload received. Unknown name \"" + field + "\"");
			}
		}
		JsonNode contents = request.path("contents");
		if (!contents.isArray() || contents.isEmpty()) {
			throw refuse(400, "contents is required: " + request);
		}
		ObjectNode view = object();
		view.putArray("messages").addObject().put("content", text(contents.get(contents.size() - 1)));
		return view;
	}

	private static String text(JsonNode content) {
		StringBuilder text = new StringBuilder();
		content.path("parts").forEach((part) -> text.append(part.path("text").asString("")));
		return text.toString();
	}

	/**
	 * Answers the next batch create with this error, as Gemini does when its quota is
	 * used up.
	 * @param status the status
	 * @param body the error body
	 */
	void failNextCreate(int status, String body) {
		this.nextCreateFailure.set(json(status, body));
	}

	private MockResponse create(RecordedRequest request, String modelAndMethod) {
		MockResponse failure = this.nextCreateFailure.getAndSet(null);
		if (failure != null) {
			return failure;
		}
		int colon = modelAndMethod.lastIndexOf(':');
		String method = modelAndMethod.substring(colon + 1);
		if (colon < 0 || !Set.of("batchGenerateContent", "asyncBatchEmbedContent").contains(method)) {
			throw refuse(404, "no such method: " + modelAndMethod);
		}
		JsonNode batch = body(request).path("batch");
		String fileName = batch.path("inputConfig").path("fileName").asString("");
		List<Request> requests = this.files.get(fileName);
		if (!batch.path("displayName").isString() || requests == null) {
			throw refuse(400, "a batch needs a displayName and an uploaded inputConfig.fileName: " + batch);
		}
		String endpoint = method.equals("batchGenerateContent") ? "/v1/chat/completions" : "/v1/embeddings";
		String id = "b" + nextId();
		Job job = new Job(id, endpoint, modelAndMethod.substring(0, colon), requests, now(), null);
		this.jobs.put(id, job);
		return json(200, operation(job));
	}

	private String state(Job job) {
		if (job.expired) {
			return "BATCH_STATE_EXPIRED";
		}
		if (job.cancelled) {
			return "BATCH_STATE_CANCELLED";
		}
		if (job.ended()) {
			return "BATCH_STATE_SUCCEEDED";
		}
		return (job.startedAt == null) ? "BATCH_STATE_PENDING" : "BATCH_STATE_RUNNING";
	}

	private ObjectNode operation(Job job) {
		ObjectNode operation = object().put("name", "batches/" + job.id);
		boolean embeddings = job.endpoint.equals("/v1/embeddings");
		ObjectNode batch = operation.putObject("metadata")
			.put("@type",
					"type.googleapis.com/google.ai.generativelanguage.v1main."
							+ (embeddings ? "EmbedContentBatch" : "GenerateContentBatch"))
			.put("model", "models/" + job.model)
			.put("displayName", "batch " + job.id)
			.put("createTime", time(job.createdAt))
			.put("updateTime", time((job.endedAt != null) ? job.endedAt : job.createdAt))
			.put("state", state(job))
			.put("name", "batches/" + job.id);
		ObjectNode stats = batch.putObject("batchStats").put("requestCount", Integer.toString(job.requests.size()));
		if (job.startedAt != null) {
			stats.put("successfulRequestCount", Long.toString(job.succeeded()))
				.put("failedRequestCount", Long.toString(job.failed()));
		}
		// Requests a cancel or the expiry stopped stay pending: they never ran.
		stats.put("pendingRequestCount", Long.toString(job.requests.size() - job.results.size()));
		if (job.ended()) {
			batch.put("endTime", time(job.endedAt));
			operation.put("done", true);
			if (!job.expired) {
				String file = "files/out-" + job.id;
				this.downloads.computeIfAbsent(file, (name) -> responses(job, embeddings));
				operation.putObject("response")
					.put("@type", "type.googleapis.com/google.ai.generativelanguage.v1main.GenerateContentBatchOutput")
					.put("responsesFile", file);
			}
		}
		return operation;
	}

	private String responses(Job job, boolean embeddings) {
		StringBuilder lines = new StringBuilder();
		for (Result result : job.results) {
			ObjectNode line = object().put("key", result.customId());
			if (!result.ok()) {
				line.putObject("error")
					.put("code", 400)
					.put("message", "the replica refused it")
					.put("status", "INVALID_ARGUMENT");
			}
			else if (embeddings) {
				line.putObject("response").putObject("embedding").putArray("values").add(0.25).add(0.5);
			}
			else {
				String echo = result.body().at("/choices/0/message/content").asString("");
				ObjectNode response = line.putObject("response");
				ObjectNode candidate = response.putArray("candidates").addObject();
				candidate.putObject("content").put("role", "model").putArray("parts").addObject().put("text", echo);
				candidate.put("finishReason", "STOP").put("index", 0);
				response.putObject("usageMetadata")
					.put("promptTokenCount", 3)
					.put("candidatesTokenCount", 2)
					.put("totalTokenCount", 5);
				response.put("modelVersion", job.model).put("responseId", "resp-" + result.customId());
			}
			lines.append(line).append('\n');
		}
		return lines.toString();
	}

	private static String time(long seconds) {
		return Instant.ofEpochSecond(seconds).toString();
	}

	@Override
	protected Refusal refuse(int status, String message) {
		return new Refusal(message, json(status, errorBody(message)));
	}

}
