package dev.ferry.conformance;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import mockwebserver3.MockResponse;
import mockwebserver3.RecordedRequest;
import okhttp3.HttpUrl;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Mistral's batch API (docs.mistral.ai/capabilities/batch, the official client's
 * {@code BatchJobOut}): files uploaded with {@code purpose=batch} whose lines are exactly
 * {@code {custom_id, body}} with no model in the body, jobs created on them with the
 * model, statuses {@code QUEUED}, {@code RUNNING}, {@code SUCCESS},
 * {@code CANCELLATION_REQUESTED}, {@code CANCELLED}, {@code TIMEOUT_EXCEEDED}, lists
 * paged by number, and OpenAI-shaped output and error files.
 */
final class MistralReplica extends JobReplica {

	private static final Set<String> ENDPOINTS = Set.of("/v1/chat/completions", "/v1/embeddings", "/v1/fim/completions",
			"/v1/moderations", "/v1/chat/moderations", "/v1/ocr");

	private static final Set<String> JOB_FIELDS = Set.of("input_files", "requests", "endpoint", "model", "agent_id",
			"metadata", "timeout_hours");

	private final Map<String, List<Request>> files = new ConcurrentHashMap<>();

	private final Map<String, String> contents = new ConcurrentHashMap<>();

	MistralReplica(String key) {
		super(key);
	}

	@Override
	List<String> createPaths() {
		return List.of("/v1/batch/jobs");
	}

	@Override
	String errorBody(String message) {
		return object().put("object", "error")
			.put("message", message)
			.put("type", "invalid_request_error")
			.putNull("param")
			.putNull("code")
			.toString();
	}

	/**
	 * The lines of a file as uploaded.
	 * @param fileId the file
	 * @return its lines
	 */
	List<String> fileLines(String fileId) {
		return List.of(this.contents.get(fileId).split("\n"));
	}

	@Override
	protected MockResponse answer(RecordedRequest request) {
		checkKey(request);
		HttpUrl url = request.getUrl();
		String path = url.encodedPath();
		String method = request.getMethod();
		if (path.equals("/v1/files") && method.equals("POST")) {
			return upload(request);
		}
		if (path.startsWith("/v1/files/") && path.endsWith("/content") && method.equals("GET")) {
			String id = path.substring("/v1/files/".length(), path.length() - "/content".length());
			String content = this.contents.get(id);
			return (content != null) ? new MockResponse.Builder().code(200).body(content).build()
					: json(404, errorBody("file " + id + " not found"));
		}
		if (path.equals("/v1/batch/jobs")) {
			return method.equals("POST") ? create(request) : list(url);
		}
		if (!path.startsWith("/v1/batch/jobs/")) {
			throw refuse(404, "no such path: " + path);
		}
		String[] segments = path.substring("/v1/batch/jobs/".length()).split("/");
		Job job = this.jobs.get(segments[0]);
		if (job == null) {
			return json(404, errorBody("no such batch job: " + path));
		}
		if (segments.length == 1 && method.equals("GET")) {
			advance(job);
			return json(200, jobJson(job));
		}
		if (segments.length == 2 && segments[1].equals("cancel") && method.equals("POST")) {
			if (!job.ended()) {
				job.cancelRequested = true;
			}
			return json(200, jobJson(job));
		}
		throw refuse(405, "no such operation: " + method + " " + path);
	}

	private MockResponse upload(RecordedRequest request) {
		List<Multipart.Part> parts = Multipart.parse(request.getHeaders().get("Content-Type"), bytes(request));
		String purpose = parts.stream()
			.filter((part) -> part.name().equals("purpose"))
			.map((part) -> new String(part.content(), StandardCharsets.UTF_8))
			.findFirst()
			.orElse("");
		if (!purpose.equals("batch")) {
			throw refuse(400, "purpose '" + purpose + "' (expected batch)");
		}
		Multipart.Part file = parts.stream()
			.filter((part) -> part.name().equals("file"))
			.findFirst()
			.orElseThrow(() -> refuse(400, "no file part"));
		String content = new String(file.content(), StandardCharsets.UTF_8);
		List<JsonNode> rows = new ArrayList<>();
		for (String text : content.split("\n")) {
			if (!text.isBlank()) {
				rows.add(this.mapper.readTree(text));
			}
		}
		List<Request> requests = lines(rows, content);
		String id = "00000000-0000-4000-8000-" + String.format("%012d", Long.parseLong(nextId()));
		this.files.put(id, requests);
		this.contents.put(id, content);
		return json(200,
				object().put("id", id)
					.put("object", "file")
					.put("bytes", file.content().length)
					.put("created_at", now())
					.put("filename", file.filename())
					.put("purpose", "batch"));
	}

	/**
	 * Requests as Mistral checks them, in a file or inline: exactly {custom_id, body}.
	 */
	private List<Request> lines(Iterable<JsonNode> rows, String where) {
		List<Request> requests = new ArrayList<>();
		Set<String> ids = new HashSet<>();
		for (JsonNode line : rows) {
			Set<String> fields = new HashSet<>(line.propertyNames());
			if (!fields.equals(Set.of("custom_id", "body")) || !line.path("body").isObject()) {
				throw refuse(400, "a batch request is exactly {custom_id, body}: " + line);
			}
			if (line.path("body").has("model")) {
				throw refuse(400, "the model is the job's, not the request's: " + line);
			}
			if (!ids.add(line.path("custom_id").asString())) {
				throw refuse(400, "custom_id repeated in " + where);
			}
			requests.add(new Request(line.path("custom_id").asString(), line.path("body")));
		}
		return requests;
	}

	private MockResponse create(RecordedRequest request) {
		JsonNode body = body(request);
		for (String field : body.propertyNames()) {
			if (!JOB_FIELDS.contains(field)) {
				throw refuse(422, "unknown field " + field);
			}
		}
		boolean inline = body.has("requests");
		if (!body.path("model").isString() || !ENDPOINTS.contains(body.path("endpoint").asString(""))
				|| inline == body.has("input_files")) {
			throw refuse(422, "a job needs input_files or requests, a known endpoint and a model: " + body);
		}
		List<Request> requests = new ArrayList<>();
		if (inline) {
			requests.addAll(lines(body.path("requests"), body.toString()));
		}
		for (JsonNode fileId : body.path("input_files")) {
			List<Request> lines = this.files.get(fileId.asString());
			if (lines == null) {
				throw refuse(404, "input file " + fileId.asString() + " not found");
			}
			requests.addAll(lines);
		}
		if (requests.isEmpty()) {
			throw refuse(422, "a job without requests");
		}
		String id = "11111111-0000-4000-8000-" + String.format("%012d", Long.parseLong(nextId()));
		Job job = new Job(id, body.path("endpoint").asString(), body.path("model").asString(), requests, now(),
				body.get("metadata"));
		this.jobs.put(id, job);
		return json(200, jobJson(job));
	}

	private MockResponse list(HttpUrl url) {
		List<Job> newestFirst = new ArrayList<>(this.jobs.values());
		Collections.reverse(newestFirst);
		if (!"-created".equals(url.queryParameter("order_by"))) {
			throw refuse(400, "the replica lists newest first only (order_by=-created)");
		}
		int page = Integer.parseInt(url.queryParameter("page"));
		int size = Integer.parseInt(url.queryParameter("page_size"));
		ObjectNode list = object().put("object", "list").put("total", newestFirst.size());
		ArrayNode data = list.putArray("data");
		newestFirst.stream().skip((long) page * size).limit(size).forEach((job) -> data.add(jobJson(job)));
		return json(200, list);
	}

	private String status(Job job) {
		if (job.expired) {
			return "TIMEOUT_EXCEEDED";
		}
		if (job.cancelled) {
			return "CANCELLED";
		}
		if (job.cancelRequested) {
			return "CANCELLATION_REQUESTED";
		}
		if (job.ended()) {
			return "SUCCESS";
		}
		return (job.startedAt == null) ? "QUEUED" : "RUNNING";
	}

	private ObjectNode jobJson(Job job) {
		ObjectNode node = object().put("id", job.id).put("object", "batch");
		node.putArray("input_files");
		node.set("metadata", (job.metadata != null) ? job.metadata : object());
		node.put("endpoint", job.endpoint).put("model", job.model).putNull("agent_id");
		if (job.ended()) {
			writeResults(job);
		}
		node.put("output_file", this.contents.containsKey("out-" + job.id) ? "out-" + job.id : null);
		node.put("error_file", this.contents.containsKey("err-" + job.id) ? "err-" + job.id : null);
		node.putArray("errors");
		node.put("status", status(job))
			.put("created_at", job.createdAt)
			.put("total_requests", job.requests.size())
			.put("completed_requests", job.results.size())
			.put("succeeded_requests", job.succeeded())
			.put("failed_requests", job.failed());
		node.put("started_at", job.startedAt).put("completed_at", job.endedAt);
		return node;
	}

	private void writeResults(Job job) {
		StringBuilder output = new StringBuilder();
		StringBuilder errors = new StringBuilder();
		for (Result result : job.results) {
			ObjectNode line = object().put("id", "batch-" + result.customId()).put("custom_id", result.customId());
			ObjectNode response = line.putObject("response");
			if (result.ok()) {
				response.put("status_code", 200).set("body", result.body());
				line.putNull("error");
				output.append(line).append('\n');
			}
			else {
				response.put("status_code", 400).set("body", this.mapper.readTree(errorBody("the replica refused it")));
				line.putNull("error");
				errors.append(line).append('\n');
			}
		}
		if (!output.isEmpty()) {
			this.contents.put("out-" + job.id, output.toString());
		}
		if (!errors.isEmpty()) {
			this.contents.put("err-" + job.id, errors.toString());
		}
	}

	@Override
	protected Refusal refuse(int status, String message) {
		return new Refusal(message, json(status, errorBody(message)));
	}

}
