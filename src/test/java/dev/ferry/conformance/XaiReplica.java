package dev.ferry.conformance;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
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
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * xAI's Batch API (docs.x.ai batch guide; LiteLLM's xAI adapter for the shapes): files of
 * OpenAI input lines uploaded with {@code purpose=batch}, batches created with
 * {@code {name, input_file_id}}, no status but counters (no requests while the file is
 * validated), {@code POST /v1/batches/{id}:cancel}, lists and results paged with
 * {@code pagination_token}, timestamps as bare dates as xAI's REST gateway sends them.
 * Results pages hold at most {@link #RESULTS_PAGE} items whatever the limit asked for, so
 * that reading every result takes several pages.
 */
final class XaiReplica extends JobReplica {

	static final int RESULTS_PAGE = 2;

	private static final Set<String> ENDPOINTS = Set.of("/v1/chat/completions", "/v1/responses");

	private final Map<String, List<Request>> files = new ConcurrentHashMap<>();

	private final Map<String, String> fileEndpoints = new ConcurrentHashMap<>();

	private final Map<String, String> fileModels = new ConcurrentHashMap<>();

	private final Map<String, Boolean> validated = new ConcurrentHashMap<>();

	XaiReplica(String key) {
		super(key);
	}

	/** xAI's counters have nothing for a batch that ran out of time. */
	@Override
	boolean expires() {
		return false;
	}

	@Override
	List<String> createPaths() {
		return List.of("/v1/files", "/v1/batches");
	}

	@Override
	String errorBody(String message) {
		return object().put("code", "Internal error").put("error", message).toString();
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
		if (path.equals("/v1/batches")) {
			return method.equals("POST") ? create(request) : list(url);
		}
		if (!path.startsWith("/v1/batches/")) {
			throw refuse(404, "no such path: " + path);
		}
		String rest = path.substring("/v1/batches/".length());
		boolean cancel = rest.endsWith(":cancel");
		String[] segments = (cancel ? rest.substring(0, rest.length() - ":cancel".length()) : rest).split("/");
		Job job = this.jobs.get(segments[0]);
		if (job == null) {
			return json(404, errorBody("batch " + segments[0] + " not found"));
		}
		if (cancel && method.equals("POST")) {
			if (!job.ended()) {
				job.cancelRequested = true;
				job.cancelled = true;
				job.endedAt = now();
			}
			return json(200, batchJson(job));
		}
		if (segments.length == 1 && method.equals("GET")) {
			if (this.validated.put(job.id, true) != null) {
				advance(job);
			}
			return json(200, batchJson(job));
		}
		if (segments.length == 2 && segments[1].equals("results") && method.equals("GET")) {
			return results(job, url);
		}
		throw refuse(405, "no such operation: " + method + " " + path);
	}

	private MockResponse upload(RecordedRequest request) {
		List<Multipart.Part> parts = Multipart.parse(request.getHeaders().get("Content-Type"), bytes(request));
		boolean batch = parts.stream()
			.anyMatch((part) -> part.name().equals("purpose")
					&& new String(part.content(), StandardCharsets.UTF_8).equals("batch"));
		Multipart.Part file = parts.stream()
			.filter((part) -> part.name().equals("file"))
			.findFirst()
			.orElseThrow(() -> refuse(400, "no file part"));
		if (!batch) {
			throw refuse(400, "purpose must be batch");
		}
		List<Request> requests = new ArrayList<>();
		Set<String> ids = new HashSet<>();
		String endpoint = null;
		String model = null;
		for (String text : new String(file.content(), StandardCharsets.UTF_8).split("\n")) {
			if (text.isBlank()) {
				continue;
			}
			JsonNode line = this.mapper.readTree(text);
			if (!"POST".equals(line.path("method").asString("")) || !ENDPOINTS.contains(line.path("url").asString(""))
					|| !line.path("body").path("model").isString() || !ids.add(line.path("custom_id").asString(""))) {
				throw refuse(400, "an OpenAI batch line with a model and a unique custom_id: " + text);
			}
			endpoint = line.path("url").asString();
			model = line.path("body").path("model").asString();
			ObjectNode body = ((ObjectNode) line.path("body")).deepCopy();
			body.remove("model");
			requests.add(new Request(line.path("custom_id").asString(), body));
		}
		String id = "file_" + nextId();
		this.files.put(id, requests);
		this.fileEndpoints.put(id, (endpoint != null) ? endpoint : "/v1/chat/completions");
		this.fileModels.put(id, (model != null) ? model : "grok");
		return json(200, object().put("id", id).put("object", "file").put("bytes", file.content().length));
	}

	private MockResponse create(RecordedRequest request) {
		JsonNode body = body(request);
		if (!new HashSet<>(body.propertyNames()).equals(Set.of("name", "input_file_id"))
				|| !body.path("name").isString()) {
			throw refuse(400, "a batch is created with exactly {name, input_file_id}: " + body);
		}
		String fileId = body.path("input_file_id").asString();
		List<Request> requests = this.files.get(fileId);
		if (requests == null) {
			throw refuse(404, "file " + fileId + " not found");
		}
		Job job = new Job("batch_" + nextId(), this.fileEndpoints.get(fileId), this.fileModels.get(fileId), requests,
				now(), null);
		this.jobs.put(job.id, job);
		return json(200, batchJson(job));
	}

	private MockResponse list(HttpUrl url) {
		List<Job> newestFirst = new ArrayList<>(this.jobs.values());
		Collections.reverse(newestFirst);
		int limit = Integer.parseInt(url.queryParameter("limit"));
		int start = (url.queryParameter("pagination_token") != null)
				? Integer.parseInt(url.queryParameter("pagination_token")) : 0;
		ObjectNode list = object();
		ArrayNode batches = list.putArray("batches");
		newestFirst.stream().skip(start).limit(limit).forEach((job) -> batches.add(batchJson(job)));
		list.put("pagination_token", (start + limit < newestFirst.size()) ? Integer.toString(start + limit) : null);
		return json(200, list);
	}

	private MockResponse results(Job job, HttpUrl url) {
		int limit = Math.min(RESULTS_PAGE, Integer.parseInt(url.queryParameter("limit")));
		int start = (url.queryParameter("pagination_token") != null)
				? Integer.parseInt(url.queryParameter("pagination_token")) : 0;
		ObjectNode page = object();
		ArrayNode items = page.putArray("results");
		job.results.stream().skip(start).limit(limit).forEach((result) -> {
			ObjectNode item = items.addObject().put("batch_request_id", result.customId());
			ObjectNode outcome = item.putObject("batch_result");
			if (result.ok()) {
				String key = job.endpoint.equals("/v1/responses") ? "responses" : "chat_get_completion";
				outcome.putObject("response").set(key, result.body());
			}
			else {
				outcome.putObject("error").put("code", 3).put("message", "the replica refused it");
			}
		});
		page.put("pagination_token", (start + limit < job.results.size()) ? Integer.toString(start + limit) : null);
		return json(200, page);
	}

	private ObjectNode batchJson(Job job) {
		boolean validating = !this.validated.containsKey(job.id) && !job.cancelled;
		int total = validating ? 0 : job.requests.size();
		long cancelled = job.cancelled ? job.requests.size() - job.results.size() : 0;
		ObjectNode node = object().put("batch_id", job.id).put("name", "a batch");
		node.put("create_time", date(job.createdAt)).put("expire_time", date(job.createdAt + 86_400));
		node.put("cancel_time", job.cancelled ? date(job.endedAt) : null);
		node.putNull("cancel_by_xai_message");
		node.putObject("state")
			.put("num_requests", total)
			.put("num_pending", validating ? 0 : total - job.results.size() - cancelled)
			.put("num_success", job.succeeded())
			.put("num_error", job.failed())
			.put("num_cancelled", cancelled);
		return node;
	}

	/** xAI's REST gateway sends dates without a time. */
	private static @Nullable String date(@Nullable Long seconds) {
		return (seconds != null) ? Instant.ofEpochSecond(seconds).atZone(ZoneOffset.UTC).toLocalDate().toString()
				: null;
	}

	@Override
	protected Refusal refuse(int status, String message) {
		return new Refusal(message, json(status, errorBody(message)));
	}

}
