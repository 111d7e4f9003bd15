package dev.ferry.conformance;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
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
 * Fireworks' batch inference API (docs.fireworks.ai/guides/batch-inference and its API
 * reference): under {@code /v1/accounts/{account}}, a dataset entry, its JSONL upload
 * ({@code :upload}, lines exactly {@code {custom_id, body}} without a model), a job
 * naming both datasets, {@code JOB_STATE_*} states with {@code jobProgress} counts, lists
 * paged with {@code pageToken}, and the output dataset's files behind signed URLs that
 * must be fetched without the API key. The output dataset's results file is written in
 * pages of {@link #RESULT_ROWS_PER_FILE} rows, so that a job's results span several
 * files.
 */
final class FireworksReplica extends JobReplica {

	static final String ACCOUNT = "kit-account";

	static final int RESULT_ROWS_PER_FILE = 2;

	private final Map<String, List<Request>> datasets = new ConcurrentHashMap<>();

	private final Map<String, String> signed = new ConcurrentHashMap<>();

	FireworksReplica(String key) {
		super(key);
	}

	@Override
	Map<String, String> settings() {
		return Map.of("account-id", ACCOUNT);
	}

	@Override
	List<String> createPaths() {
		String base = "/v1/accounts/" + ACCOUNT;
		return List.of(base + "/datasets", base + "/datasets/{id}:upload", base + "/batchInferenceJobs");
	}

	@Override
	String errorBody(String message) {
		ObjectNode error = object().put("code", 13).put("message", message);
		error.putArray("details");
		return error.toString();
	}

	@Override
	protected MockResponse answer(RecordedRequest request) {
		HttpUrl url = request.getUrl();
		String path = url.encodedPath();
		if (path.startsWith("/signed/")) {
			if (request.getHeaders().get("Authorization") != null) {
				throw refuse(400, "a signed URL is fetched without the API key");
			}
			String content = this.signed.get(path + "?" + url.encodedQuery());
			return (content != null) ? new MockResponse.Builder().code(200).body(content).build()
					: json(403, errorBody("signature does not match"));
		}
		checkKey(request);
		String base = "/v1/accounts/" + ACCOUNT;
		if (!path.startsWith(base + "/")) {
			throw refuse(404, "no such account path: " + path);
		}
		String rest = path.substring(base.length());
		String method = request.getMethod();
		if (rest.equals("/datasets") && method.equals("POST")) {
			return createDataset(request);
		}
		if (rest.startsWith("/datasets/") && rest.endsWith(":upload") && method.equals("POST")) {
			return upload(rest.substring("/datasets/".length(), rest.length() - ":upload".length()), request);
		}
		if (rest.startsWith("/datasets/") && rest.endsWith(":getDownloadEndpoint") && method.equals("GET")) {
			return downloadEndpoint(
					rest.substring("/datasets/".length(), rest.length() - ":getDownloadEndpoint".length()));
		}
		if (rest.equals("/batchInferenceJobs")) {
			return method.equals("POST") ? createJob(request, url) : list(url);
		}
		if (rest.startsWith("/batchInferenceJobs/") && method.equals("GET")) {
			Job job = this.jobs.get(rest.substring("/batchInferenceJobs/".length()));
			if (job == null) {
				return json(404, errorBody("batch inference job not found"));
			}
			advance(job);
			return json(200, jobJson(job));
		}
		throw refuse(405, "no such operation: " + method + " " + path);
	}

	private MockResponse createDataset(RecordedRequest request) {
		JsonNode body = body(request);
		String id = body.path("datasetId").asString("");
		if (!id.matches("[a-z0-9][a-z0-9-]{0,62}") || !body.path("dataset").path("userUploaded").isObject()
				|| this.datasets.containsKey(id)) {
			throw refuse(400, "a new dataset id and {dataset: {userUploaded: {}}}: " + body);
		}
		this.datasets.put(id, List.of());
		return json(200, object().put("name", "accounts/" + ACCOUNT + "/datasets/" + id).put("state", "UPLOADING"));
	}

	private MockResponse upload(String dataset, RecordedRequest request) {
		if (!this.datasets.containsKey(dataset)) {
			throw refuse(404, "dataset " + dataset + " not created");
		}
		Multipart.Part file = Multipart.parse(request.getHeaders().get("Content-Type"), bytes(request))
			.stream()
			.filter((part) -> part.name().equals("file"))
			.findFirst()
			.orElseThrow(() -> refuse(400, "no file part"));
		List<Request> requests = new ArrayList<>();
		Set<String> ids = new HashSet<>();
		for (String text : new String(file.content(), StandardCharsets.UTF_8).split("\n")) {
			if (text.isBlank()) {
				continue;
			}
			JsonNode line = this.mapper.readTree(text);
			if (!new HashSet<>(line.propertyNames()).equals(Set.of("custom_id", "body"))
					|| line.path("body").has("model") || !ids.add(line.path("custom_id").asString(""))) {
				throw refuse(400, "a line is {custom_id, body} without a model, its id unique: " + text);
			}
			requests.add(new Request(line.path("custom_id").asString(), line.path("body")));
		}
		this.datasets.put(dataset, requests);
		return json(200, object().put("bytes", file.content().length));
	}

	private MockResponse createJob(RecordedRequest request, HttpUrl url) {
		String id = url.queryParameter("batchInferenceJobId");
		JsonNode body = body(request);
		String prefix = "accounts/" + ACCOUNT + "/datasets/";
		String input = body.path("inputDatasetId").asString("");
		String output = body.path("outputDatasetId").asString("");
		if (id == null || this.jobs.containsKey(id) || !body.path("model").asString("").startsWith("accounts/")
				|| !input.startsWith(prefix) || !output.startsWith(prefix)) {
			throw refuse(400, "a new job id, a model resource and both datasets: " + body);
		}
		List<Request> requests = this.datasets.get(input.substring(prefix.length()));
		if (requests == null || requests.isEmpty() || this.datasets.containsKey(output.substring(prefix.length()))) {
			throw refuse(400, "the input dataset must hold rows, the output one must not exist yet");
		}
		Job job = new Job(id, "/v1/chat/completions", body.path("model").asString(), requests, now(),
				body.get("inferenceParameters"));
		this.jobs.put(id, job);
		return json(200, jobJson(job));
	}

	private MockResponse list(HttpUrl url) {
		if (!"create_time desc".equals(url.queryParameter("orderBy"))) {
			throw refuse(400, "the replica lists newest first only");
		}
		List<Job> newestFirst = new ArrayList<>(this.jobs.values());
		Collections.reverse(newestFirst);
		int size = Integer.parseInt(url.queryParameter("pageSize"));
		int start = (url.queryParameter("pageToken") != null) ? Integer.parseInt(url.queryParameter("pageToken")) : 0;
		ObjectNode page = object().put("totalSize", newestFirst.size());
		ArrayNode items = page.putArray("batchInferenceJobs");
		newestFirst.stream().skip(start).limit(size).forEach((job) -> items.add(jobJson(job)));
		page.put("nextPageToken", (start + size < newestFirst.size()) ? Integer.toString(start + size) : "");
		return json(200, page);
	}

	private MockResponse downloadEndpoint(String dataset) {
		Job job = this.jobs.values()
			.stream()
			.filter((candidate) -> (candidate.id + "-output").equals(dataset) && candidate.ended())
			.findFirst()
			.orElse(null);
		if (job == null) {
			return json(404, errorBody("dataset " + dataset + " not found"));
		}
		ObjectNode urls = object();
		List<String> rows = new ArrayList<>();
		StringBuilder errors = new StringBuilder();
		for (Result result : job.results) {
			if (result.ok()) {
				ObjectNode row = object().put("custom_id", result.customId());
				row.set("response", result.body());
				rows.add(row + "\n");
			}
			else {
				errors
					.append(object().put("custom_id", result.customId())
						.set("error", object().put("code", 400).put("message", "the replica refused it")))
					.append('\n');
			}
		}
		for (int part = 0; part * RESULT_ROWS_PER_FILE < rows.size(); part++) {
			List<String> chunk = rows.subList(part * RESULT_ROWS_PER_FILE,
					Math.min(rows.size(), (part + 1) * RESULT_ROWS_PER_FILE));
			urls.put("datasets/" + dataset + "/BIJOutputSet-" + part + ".jsonl",
					sign(dataset, "BIJOutputSet-" + part + ".jsonl", String.join("", chunk)));
		}
		if (!errors.isEmpty()) {
			urls.put("datasets/" + dataset + "/error-data", sign(dataset, "error-data", errors.toString()));
		}
		ObjectNode answer = object();
		answer.set("filenameToSignedUrls", urls);
		return json(200, answer);
	}

	private String sign(String dataset, String file, String content) {
		String path = "/signed/" + dataset + "/" + file;
		String query = "X-Goog-Signature=" + nextId();
		this.signed.put(path + "?" + query, content);
		return server().url(path).toString() + "?" + query;
	}

	private String state(Job job) {
		if (job.expired) {
			return "JOB_STATE_EXPIRED";
		}
		if (job.ended()) {
			return "JOB_STATE_COMPLETED";
		}
		return (job.startedAt == null) ? "JOB_STATE_VALIDATING" : "JOB_STATE_RUNNING";
	}

	private ObjectNode jobJson(Job job) {
		ObjectNode node = object().put("name", "accounts/" + ACCOUNT + "/batchInferenceJobs/" + job.id)
			.put("displayName", "kit")
			.put("createTime", Instant.ofEpochSecond(job.createdAt).toString())
			.put("state", state(job))
			.put("model", job.model)
			.put("inputDatasetId", "accounts/" + ACCOUNT + "/datasets/" + job.id + "-input")
			.put("outputDatasetId", "accounts/" + ACCOUNT + "/datasets/" + job.id + "-output")
			.put("updateTime", Instant.ofEpochSecond((job.endedAt != null) ? job.endedAt : job.createdAt).toString());
		node.putObject("status").put("code", "OK").put("message", "");
		if (job.metadata != null) {
			node.set("inferenceParameters", job.metadata);
		}
		node.putObject("jobProgress")
			.put("totalInputRequests", job.requests.size())
			.put("totalProcessedRequests", job.results.size())
			.put("successfullyProcessedRequests", job.succeeded())
			.put("failedRequests", job.failed())
			.put("inputTokens", 3 * job.results.size())
			.put("outputTokens", 2 * job.results.size());
		return node;
	}

	@Override
	protected Refusal refuse(int status, String message) {
		return new Refusal(message, json(status, errorBody(message)));
	}

}
