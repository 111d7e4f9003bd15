package dev.ferry.conformance;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

import mockwebserver3.MockResponse;
import mockwebserver3.RecordedRequest;
import okhttp3.HttpUrl;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Vertex AI batch prediction and the Cloud Storage JSON API it stages in, on one server,
 * with Google's token endpoint on another ({@link GoogleTokenServer}): every call must
 * carry a token that endpoint issued. Built from cloud.google.com's batch prediction
 * reference (the job resource, {@code JobState}, {@code completionStats} as int64
 * strings, {@code outputInfo.gcsOutputDirectory}), its Gemini and Claude batch guides
 * (input lines {@code {request}} and {@code {custom_id, request}} with
 * {@code anthropic_version: vertex-2023-10-16}; output lines echoing the request beside
 * its {@code response} or a {@code status} text) and Cloud Storage's JSON API (simple
 * media upload, listing by prefix in pages, {@code alt=media} downloads, deletes).
 *
 * <p>
 * Where it may differ from the service: it checks the lines' shape, not the requests'
 * content; it writes every job's predictions as two shards named
 * {@code predictions_0001.jsonl} and {@code predictions_0002.jsonl} (the real names of
 * large jobs' shards are not documented, which is why Ferry reads every {@code *.jsonl});
 * the Claude output line (an Anthropic Message under {@code response}) is the guide's
 * reading, not confirmed on the wire; and Cloud Storage pages of two objects exercise
 * paging where the service pages by the thousand.
 */
final class VertexReplica extends JobReplica {

	static final String PROJECT = "ferry-test";

	static final String LOCATION = "us-central1";

	static final String BUCKET = "ferry-staging";

	private static final String JOBS = "/v1/projects/" + PROJECT + "/locations/" + LOCATION + "/batchPredictionJobs";

	private final GoogleTokenServer tokens = new GoogleTokenServer();

	/** Cloud Storage's objects, by name, sorted as it lists them. */
	private final Map<String, byte[]> objects = new ConcurrentHashMap<>();

	/** Each job's raw input lines, which its output echoes. */
	private final Map<String, List<JsonNode>> inputs = new ConcurrentHashMap<>();

	private final Map<String, JsonNode> created = new ConcurrentHashMap<>();

	VertexReplica() {
		super("unused-key");
	}

	GoogleTokenServer tokens() {
		return this.tokens;
	}

	@Override
	Map<String, String> settings() {
		String base = server().url("/").toString();
		return Map.of("type", "vertex", "project", PROJECT, "location", LOCATION, "gcs-bucket", BUCKET, "gcs-prefix",
				"kit/", "gcs-endpoint", base.substring(0, base.length() - 1), "credentials-file",
				this.tokens.keyFile().toString());
	}

	@Override
	List<String> createPaths() {
		return List.of("/upload/storage/v1/b/" + BUCKET + "/o", JOBS);
	}

	/** The objects the bucket holds now. */
	Set<String> objectNames() {
		return Set.copyOf(this.objects.keySet());
	}

	/** The lines of a staged object. */
	List<JsonNode> lines(String object) {
		List<JsonNode> lines = new ArrayList<>();
		for (String text : new String(this.objects.get(object), StandardCharsets.UTF_8).split("\n")) {
			if (!text.isBlank()) {
				lines.add(this.mapper.readTree(text));
			}
		}
		return lines;
	}

	@Override
	String errorBody(String message) {
		ObjectNode body = object();
		body.putObject("error").put("code", 400).put("message", message).put("status", "INVALID_ARGUMENT");
		return body.toString();
	}

	@Override
	protected void checkKey(RecordedRequest request) {
		if (!this.tokens.valid(request.getHeaders().get("Authorization"))) {
			throw refuse(401,
					"Request had invalid authentication credentials: " + request.getHeaders().get("Authorization"));
		}
	}

	@Override
	protected MockResponse answer(RecordedRequest request) {
		checkKey(request);
		HttpUrl url = request.getUrl();
		String path = url.encodedPath();
		String method = request.getMethod();
		String objectsPath = "/storage/v1/b/" + BUCKET + "/o";
		if (path.equals("/upload" + objectsPath) && method.equals("POST")) {
			return upload(request, url);
		}
		if (path.equals(objectsPath) && method.equals("GET")) {
			return list(url);
		}
		if (path.startsWith(objectsPath + "/")) {
			String name = URLDecoder.decode(path.substring(objectsPath.length() + 1), StandardCharsets.UTF_8);
			byte[] content = this.objects.get(name);
			if (content == null) {
				return json(404, errorBody("No such object: " + BUCKET + "/" + name));
			}
			if (method.equals("DELETE")) {
				this.objects.remove(name);
				return new MockResponse.Builder().code(204).build();
			}
			if (!"media".equals(url.queryParameter("alt"))) {
				throw refuse(400, "the replica serves object content only (alt=media)");
			}
			return new MockResponse.Builder().code(200).body(new okio.Buffer().write(content)).build();
		}
		if (path.equals(JOBS) && method.equals("POST")) {
			return create(request);
		}
		if (!path.startsWith(JOBS + "/")) {
			throw refuse(404, "no such path: " + path);
		}
		return googleJob(method, path, path.substring(JOBS.length() + 1), this::resource);
	}

	private MockResponse upload(RecordedRequest request, HttpUrl url) {
		String name = url.queryParameter("name");
		byte[] bytes = bytes(request);
		String length = request.getHeaders().get("Content-Length");
		if (!"media".equals(url.queryParameter("uploadType")) || name == null
				|| !String.valueOf(bytes.length).equals(length)) {
			throw refuse(400, "a simple upload names its object and sends its length: " + url);
		}
		this.objects.put(name, bytes);
		return json(200, object().put("bucket", BUCKET).put("name", name).put("size", Long.toString(bytes.length)));
	}

	private MockResponse list(HttpUrl url) {
		String prefix = url.queryParameter("prefix");
		if (prefix == null) {
			throw refuse(400, "the replica lists by prefix only");
		}
		List<String> names = new ArrayList<>(new TreeMap<>(this.objects).keySet());
		names.removeIf((name) -> !name.startsWith(prefix));
		int from = (url.queryParameter("pageToken") != null) ? Integer.parseInt(url.queryParameter("pageToken")) : 0;
		ObjectNode page = object().put("kind", "storage#objects");
		ArrayNode items = page.putArray("items");
		names.stream()
			.skip(from)
			.limit(2)
			.forEach((name) -> items.addObject()
				.put("name", name)
				.put("bucket", BUCKET)
				.put("size", Long.toString(this.objects.get(name).length)));
		if (from + 2 < names.size()) {
			page.put("nextPageToken", Integer.toString(from + 2));
		}
		return json(200, page);
	}

	private MockResponse create(RecordedRequest request) {
		JsonNode body = body(request);
		String model = body.path("model").asString("");
		boolean claude = model.startsWith("publishers/anthropic/models/");
		String source = body.at("/inputConfig/gcsSource/uris/0").asString("");
		String prefix = "gs://" + BUCKET + "/";
		if (!(claude || model.startsWith("publishers/google/models/")) || !body.path("displayName").isString()
				|| !"jsonl".equals(body.at("/inputConfig/instancesFormat").asString())
				|| !"jsonl".equals(body.at("/outputConfig/predictionsFormat").asString())
				|| !body.at("/outputConfig/gcsDestination/outputUriPrefix").asString("").startsWith(prefix)
				|| !source.startsWith(prefix) || !this.objects.containsKey(source.substring(prefix.length()))) {
			throw refuse(400, "a job needs a displayName, a publisher model, a jsonl source in the bucket and "
					+ "a jsonl destination: " + body);
		}
		List<JsonNode> lines = lines(source.substring(prefix.length()));
		List<Request> requests = new ArrayList<>();
		Set<String> ids = new HashSet<>();
		for (JsonNode line : lines) {
			requests.add(claude ? claudeRequest(line, ids) : geminiRequest(line, requests.size()));
		}
		String id = Long.toString(1_000_000 + Long.parseLong(nextId()));
		Job job = new Job(id, "/v1/chat/completions", model.substring(model.lastIndexOf('/') + 1), requests, now(),
				null);
		this.jobs.put(id, job);
		this.inputs.put(id, lines);
		this.created.put(id, body);
		return json(200, resource(job));
	}

	private Request geminiRequest(JsonNode line, int index) {
		JsonNode request = line.path("request");
		if (!new HashSet<>(line.propertyNames()).equals(Set.of("request")) || request.has("model")
				|| !request.path("contents").isArray() || !request.path("labels").isObject()) {
			throw refuse(400, "a Gemini line is exactly {request} (contents, labels, no model): " + line);
		}
		JsonNode contents = request.path("contents");
		StringBuilder text = new StringBuilder();
		contents.get(contents.size() - 1).path("parts").forEach((part) -> text.append(part.path("text").asString("")));
		ObjectNode view = object();
		view.putArray("messages").addObject().put("content", text.toString());
		return new Request("line-" + index, view);
	}

	private Request claudeRequest(JsonNode line, Set<String> ids) {
		JsonNode request = line.path("request");
		if (!new HashSet<>(line.propertyNames()).equals(Set.of("custom_id", "request"))
				|| !"vertex-2023-10-16".equals(request.path("anthropic_version").asString()) || request.has("model")
				|| !request.path("max_tokens").isNumber() || !ids.add(line.path("custom_id").asString())) {
			throw refuse(400, "a Claude line is {custom_id, request} with anthropic_version vertex-2023-10-16, "
					+ "max_tokens and no model, each custom_id once: " + line);
		}
		return new Request(line.path("custom_id").asString(), request);
	}

	private String state(Job job) {
		if (job.expired) {
			return "JOB_STATE_EXPIRED";
		}
		if (job.cancelled) {
			return "JOB_STATE_CANCELLED";
		}
		if (job.cancelRequested) {
			return "JOB_STATE_CANCELLING";
		}
		if (job.ended()) {
			return "JOB_STATE_SUCCEEDED";
		}
		return (job.startedAt == null) ? "JOB_STATE_PENDING" : "JOB_STATE_RUNNING";
	}

	private ObjectNode resource(Job job) {
		JsonNode asked = this.created.get(job.id);
		String claude = asked.path("model").asString().contains("/anthropic/") ? "anthropic" : "google";
		ObjectNode resource = object()
			.put("name", "projects/123456/locations/" + LOCATION + "/batchPredictionJobs/" + job.id)
			.put("displayName", asked.path("displayName").asString())
			.put("model", "publishers/" + claude + "/models/" + job.model)
			.put("state", state(job))
			.put("createTime", time(job.createdAt))
			.put("updateTime", time((job.endedAt != null) ? job.endedAt : job.createdAt));
		resource.set("inputConfig", asked.path("inputConfig"));
		resource.set("outputConfig", asked.path("outputConfig"));
		if (job.startedAt != null) {
			resource.put("startTime", time(job.startedAt));
			String directory = asked.at("/outputConfig/gcsDestination/outputUriPrefix").asString() + "prediction-model-"
					+ job.id;
			resource.putObject("outputInfo").put("gcsOutputDirectory", directory);
			writeShards(job, directory.substring(("gs://" + BUCKET + "/").length()));
			resource.putObject("completionStats")
				.put("successfulCount", Long.toString(job.succeeded()))
				.put("failedCount", Long.toString(job.failed()))
				.put("incompleteCount", Long.toString(job.requests.size() - job.results.size()));
		}
		if (job.ended()) {
			resource.put("endTime", time(job.endedAt));
		}
		return resource;
	}

	/** The predictions so far, continuously exported as Vertex does, in two shards. */
	private void writeShards(Job job, String directory) {
		List<JsonNode> inputs = this.inputs.get(job.id);
		StringBuilder[] shards = { new StringBuilder(), new StringBuilder() };
		for (int i = 0; i < job.results.size(); i++) {
			Result result = job.results.get(i);
			Request request = job.requests.get(i);
			ObjectNode line = object();
			if (request.customId().startsWith("line-")) {
				line.put("status", result.ok() ? "" : "Bad Request: {\"error\": {\"code\": 400, \"message\": "
						+ "\"the replica refused it\", \"status\": \"INVALID_ARGUMENT\"}}");
				line.put("processed_time", time(job.createdAt));
				line.set("request", inputs.get(i).path("request"));
				if (result.ok()) {
					line.set("response", geminiResponse(result, job.model));
				}
			}
			else {
				line.put("custom_id", request.customId());
				line.set("request", request.body());
				line.put("status", result.ok() ? "" : "Bad Request: the replica refused it");
				if (result.ok()) {
					line.set("response", claudeMessage(result, job.model));
				}
			}
			shards[i % 2].append(line).append('\n');
		}
		for (int shard = 0; shard < 2; shard++) {
			if (!shards[shard].isEmpty()) {
				this.objects.put(directory + "/predictions_000" + (shard + 1) + ".jsonl",
						shards[shard].toString().getBytes(StandardCharsets.UTF_8));
			}
		}
	}

	private ObjectNode geminiResponse(Result result, String model) {
		ObjectNode response = object();
		ObjectNode candidate = response.putArray("candidates").addObject();
		candidate.putObject("content")
			.put("role", "model")
			.putArray("parts")
			.addObject()
			.put("text", result.body().at("/choices/0/message/content").asString(""));
		candidate.put("finishReason", "STOP");
		response.putObject("usageMetadata")
			.put("promptTokenCount", 3)
			.put("candidatesTokenCount", 2)
			.put("totalTokenCount", 5);
		response.put("modelVersion", model);
		return response;
	}

	private ObjectNode claudeMessage(Result result, String model) {
		ObjectNode message = object().put("id", "msg_vrtx_" + result.customId())
			.put("type", "message")
			.put("role", "assistant")
			.put("model", model);
		message.putArray("content")
			.addObject()
			.put("type", "text")
			.put("text", result.body().at("/choices/0/message/content").asString(""));
		message.put("stop_reason", "end_turn").putNull("stop_sequence");
		message.putObject("usage").put("input_tokens", 3).put("output_tokens", 2);
		return message;
	}

	private static String time(long seconds) {
		return Instant.ofEpochSecond(seconds).toString();
	}

	@Override
	protected Refusal refuse(int status, String message) {
		return new Refusal(message, json(status, errorBody(message)));
	}

}
