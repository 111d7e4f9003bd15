package dev.ferry.conformance;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

import mockwebserver3.MockResponse;
import mockwebserver3.RecordedRequest;
import okhttp3.HttpUrl;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A provider speaking OpenAI's Files and Batch API, with the quirks of one family. Files
 * are kept; a batch moves one step each time it is retrieved (validating, in_progress
 * with live counts, finalizing, completed), validates its input file as the service does
 * (failing with {@code errors.data[].line}), and writes output and error files: a request
 * whose text contains {@code FAIL} gets a 400 error line, every other one an echo of its
 * text in the endpoint's response shape. Cancelled and expired batches keep the first
 * half of their requests' results and give the rest {@code batch_cancelled} or
 * {@code batch_expired} error lines.
 */
final class OpenAiReplica extends Replica {

	private final Quirks quirks;

	private final Map<String, StoredFile> files = new LinkedHashMap<>();

	private final Map<String, ReplicaBatch> batches = new LinkedHashMap<>();

	private final Map<String, String> idempotencyKeys = new LinkedHashMap<>();

	private int refusedCreates;

	private int sequence;

	OpenAiReplica(Quirks quirks) {
		this.quirks = quirks;
	}

	@Override
	String baseUrl() {
		return server().url(this.quirks.prefix()).toString();
	}

	Quirks quirks() {
		return this.quirks;
	}

	/**
	 * Refuses the next creates as Azure does when the enqueued-token quota is full.
	 * @param creates how many
	 */
	void refuseCreatesForTokenLimit(int creates) {
		this.refusedCreates = creates;
	}

	/**
	 * Ends a batch as expired, as the service does when its window runs out.
	 * @param id the batch
	 */
	synchronized void expire(String id) {
		ReplicaBatch batch = this.batches.get(id);
		batch.expiredAt = now();
		finish(batch, "expired", "batch_expired");
	}

	/**
	 * The lines of a stored file.
	 * @param id the file id
	 * @return its lines
	 */
	synchronized List<String> fileLines(String id) {
		return this.files.get(id).lines();
	}

	/**
	 * The idempotency keys creates were sent with, by the batch they created.
	 * @return the keys
	 */
	synchronized Map<String, String> idempotencyKeys() {
		return Map.copyOf(this.idempotencyKeys);
	}

	@Override
	protected MockResponse answer(RecordedRequest request) {
		checkCredentials(request);
		HttpUrl url = request.getUrl();
		String prefix = this.quirks.prefix();
		String path = url.encodedPath();
		if (!path.startsWith(prefix + "/")) {
			throw refuse(404, "no such path under " + prefix);
		}
		if (this.quirks.apiVersion() != null && !this.quirks.apiVersion().equals(url.queryParameter("api-version"))) {
			throw refuse(404, "api-version missing or wrong (expected: " + this.quirks.apiVersion() + ")");
		}
		String[] segments = path.substring(prefix.length() + 1).split("/");
		String method = request.getMethod();
		return switch (segments[0]) {
			case "files" -> files(method, segments, request);
			case "batches" -> batches(method, segments, request);
			default -> throw refuse(404, "no such endpoint");
		};
	}

	private MockResponse files(String method, String[] segments, RecordedRequest request) {
		if (segments.length == 1 && method.equals("POST")) {
			return upload(request);
		}
		if (segments.length == 1 && method.equals("GET")) {
			return list(request.getUrl(), new ArrayList<>(this.files.values()), this::fileJson);
		}
		StoredFile file = this.files.get(segments[1]);
		if (file == null) {
			return notFound("No such File object: " + segments[1]);
		}
		if (segments.length == 3 && segments[2].equals("content") && method.equals("GET")) {
			return new MockResponse.Builder().code(200)
				.addHeader("Content-Type", "application/octet-stream")
				.body(new String(file.content(), StandardCharsets.UTF_8))
				.build();
		}
		if (segments.length == 2 && method.equals("GET")) {
			return json(200, fileJson(file));
		}
		if (segments.length == 2 && method.equals("DELETE")) {
			this.files.remove(file.id());
			return json(200, object().put("id", file.id()).put("object", "file").put("deleted", true));
		}
		throw refuse(405, "no such file operation");
	}

	private MockResponse upload(RecordedRequest request) {
		List<Multipart.Part> parts;
		try {
			parts = Multipart.parse(request.getHeaders().get("Content-Type"), bytes(request));
		}
		catch (IllegalArgumentException ex) {
			throw refuse(400, ex.getMessage());
		}
		Map<String, String> fields = new LinkedHashMap<>();
		Multipart.Part file = null;
		for (Multipart.Part part : parts) {
			if (part.filename() != null) {
				file = part;
			}
			else {
				fields.put(part.name(), part.text());
			}
		}
		if (file == null || !"file".equals(file.name())) {
			throw refuse(400, "file part missing");
		}
		String purpose = fields.get("purpose");
		if (purpose == null || (this.quirks.batchPurposeOnly() && !purpose.equals("batch"))) {
			throw refuse(400, "purpose: " + purpose);
		}
		if (this.quirks.refusesExpiresAfter()
				&& fields.keySet().stream().anyMatch((name) -> name.startsWith("expires_after"))) {
			throw refuse(400, "expires_after is not supported");
		}
		StoredFile stored = new StoredFile("file-" + next(), file.filename(), purpose, file.content(), now());
		if (this.quirks.validatesLinesAtUpload() && purpose.equals("batch")) {
			List<String> problems = problems(stored, null);
			if (!problems.isEmpty()) {
				throw refuse(400, "invalid line: " + problems.get(0));
			}
		}
		this.files.put(stored.id(), stored);
		return json(200, fileJson(stored));
	}

	private MockResponse batches(String method, String[] segments, RecordedRequest request) {
		if (segments.length == 1 && method.equals("POST")) {
			return create(request);
		}
		if (segments.length == 1 && method.equals("GET")) {
			return list(request.getUrl(), new ArrayList<>(this.batches.values()), this::batchJson);
		}
		ReplicaBatch batch = this.batches.get(segments[1]);
		if (batch == null) {
			return notFound("No such Batch: " + segments[1]);
		}
		if (segments.length == 2 && method.equals("GET")) {
			advance(batch);
			return json(200, batchJson(batch));
		}
		boolean cancel = this.quirks.cancelByDelete() ? (segments.length == 2 && method.equals("DELETE"))
				: (segments.length == 3 && segments[2].equals("cancel") && method.equals("POST"));
		if (cancel) {
			if (batch.status.equals("validating") || batch.status.equals("in_progress")
					|| batch.status.equals("finalizing")) {
				batch.status = "cancelling";
				batch.cancellingAt = now();
			}
			return json(200, batchJson(batch));
		}
		if (this.quirks.resultsEndpoint() && segments.length == 3 && segments[2].equals("results")
				&& method.equals("GET")) {
			if (batch.results == null) {
				return json(409, error("the batch has not ended", "batch_not_ended"));
			}
			return new MockResponse.Builder().code(200)
				.addHeader("Content-Type", "application/jsonl")
				.body(String.join("\n", batch.results) + "\n")
				.build();
		}
		throw refuse(405, "no such batch operation");
	}

	private MockResponse create(RecordedRequest request) {
		JsonNode body = body(request);
		String key = request.getHeaders().get("Idempotency-Key");
		if (key != null && this.quirks.idempotencyKeys() && this.idempotencyKeys.containsValue(key)) {
			String existing = this.idempotencyKeys.entrySet()
				.stream()
				.filter((entry) -> entry.getValue().equals(key))
				.findFirst()
				.orElseThrow()
				.getKey();
			return json(200, batchJson(this.batches.get(existing)));
		}
		if (this.refusedCreates > 0) {
			this.refusedCreates--;
			return json(400,
					error("Enqueued token limit reached for this deployment; try again later", "token_limit_exceeded"));
		}
		String endpoint = body.path("endpoint").asString("");
		if (!this.quirks.endpoints().contains(endpoint)) {
			throw refuse(400, "endpoint " + endpoint);
		}
		if (!this.quirks.windows().test(body.path("completion_window").asString(""))) {
			throw refuse(400, "completion_window " + body.path("completion_window"));
		}
		if (this.quirks.refusesExpiresAfter() && body.has("output_expires_after")) {
			throw refuse(400, "output_expires_after is not supported");
		}
		if (body.has("model") || body.has("requests") || body.has("provider")) {
			throw refuse(400, "fields OpenAI's create does not take: " + body.propertyNames());
		}
		StoredFile input = this.files.get(body.path("input_file_id").asString(""));
		if (input == null) {
			throw refuse(400, "input_file_id " + body.path("input_file_id"));
		}
		ReplicaBatch batch = new ReplicaBatch("batch_" + next(), endpoint, input.id(),
				body.path("completion_window").asString(), body.get("metadata"), now());
		this.batches.put(batch.id, batch);
		if (key != null && this.quirks.idempotencyKeys()) {
			this.idempotencyKeys.put(batch.id, key);
		}
		return json(200, batchJson(batch));
	}

	/** One step along the lifecycle per retrieve, so a poller sees every status. */
	private void advance(ReplicaBatch batch) {
		switch (batch.status) {
			case "validating" -> {
				List<String> problems = problems(this.files.get(batch.inputFileId), batch.endpoint);
				if (!problems.isEmpty()) {
					batch.status = "failed";
					batch.failedAt = now();
					batch.errors = problems;
					return;
				}
				batch.total = this.files.get(batch.inputFileId).lines().size();
				batch.status = "in_progress";
				batch.inProgressAt = now();
				batch.done = batch.total / 2;
			}
			case "in_progress" -> {
				batch.done = batch.total;
				batch.status = "finalizing";
				batch.finalizingAt = now();
			}
			case "finalizing" -> {
				batch.completedAt = now();
				finish(batch, "completed", null);
			}
			case "cancelling" -> {
				batch.cancelledAt = now();
				finish(batch, "cancelled", "batch_cancelled");
			}
			default -> {
			}
		}
	}

	/**
	 * Writes the results: requests up to {@code done} ran (an echo, or a 400 for a
	 * {@code FAIL} text), the rest get {@code unrun} error lines.
	 */
	private void finish(ReplicaBatch batch, String status, @Nullable String unrun) {
		List<String> lines = this.files.get(batch.inputFileId).lines();
		int ran = (unrun == null) ? lines.size() : Math.min(batch.done, lines.size() / 2);
		List<String> output = new ArrayList<>();
		List<String> errors = new ArrayList<>();
		List<String> results = new ArrayList<>();
		for (int i = 0; i < lines.size(); i++) {
			JsonNode line = this.mapper.readTree(lines.get(i));
			String customId = line.path("custom_id").asString();
			String text = Echo.text(line.path("body"));
			if (i >= ran) {
				errors.add(errorLine(i, customId, unrun));
				results.add(this.mapper.writeValueAsString(object().put("custom_id", customId)
					.put("status", "expired")
					.set("error", object().put("code", "timeout").put("message", "not run: " + unrun))));
			}
			else if (text.contains("FAIL")) {
				errors.add(httpErrorLine(i, customId));
				results.add(this.mapper.writeValueAsString(object().put("custom_id", customId)
					.put("status", "failed")
					.set("error", object().put("code", "invalid_request").put("message", "the replica refused it"))));
			}
			else {
				JsonNode response = Echo.response(this.mapper, batch.endpoint, line.path("body"), "resp-" + i);
				output.add(this.mapper.writeValueAsString(object().put("id", "batch_req_" + i)
					.put("custom_id", customId)
					.<ObjectNode>set("response",
							object().put("status_code", 200).put("request_id", "req_" + i).set("body", response))
					.putNull("error")));
				results.add(this.mapper.writeValueAsString(
						object().put("custom_id", customId).put("status", "succeeded").set("response", response)));
			}
		}
		batch.status = status;
		batch.total = lines.size();
		batch.succeeded = output.size();
		batch.failed = errors.size();
		if (this.quirks.resultsEndpoint()) {
			batch.results = results;
			return;
		}
		if (!output.isEmpty()) {
			batch.outputFileId = store(batch.id + "_output.jsonl", output);
		}
		if (!errors.isEmpty() || this.quirks.errorFileAlways()) {
			batch.errorFileId = store(batch.id + "_error.jsonl", errors);
		}
	}

	private String store(String filename, List<String> lines) {
		StoredFile file = new StoredFile("file-" + next(), filename, "batch_output",
				lines.isEmpty() ? new byte[0] : (String.join("\n", lines) + "\n").getBytes(StandardCharsets.UTF_8),
				now());
		this.files.put(file.id(), file);
		return file.id();
	}

	private String errorLine(int index, String customId, String code) {
		return this.mapper.writeValueAsString(object().put("id", "batch_req_" + index)
			.put("custom_id", customId)
			.putNull("response")
			.set("error", object().put("code", code).put("message", "This request was not run: " + code)));
	}

	private String httpErrorLine(int index, String customId) {
		ObjectNode error = object().put("message", "the replica refused it")
			.put("type", "invalid_request_error")
			.putNull("param")
			.putNull("code");
		return this.mapper.writeValueAsString(object().put("id", "batch_req_" + index)
			.put("custom_id", customId)
			.<ObjectNode>set("response",
					object().put("status_code", 400)
						.put("request_id", "req_" + index)
						.set("body", object().set("error", error)))
			.putNull("error"));
	}

	/**
	 * What the service finds wrong with an input file: each line a JSON object with a
	 * unique {@code custom_id}, {@code POST} to the batch endpoint (any endpoint the
	 * family runs at upload), a body, and one model (one deployment, on Azure) for all.
	 */
	private List<String> problems(StoredFile file, @Nullable String endpoint) {
		List<String> problems = new ArrayList<>();
		Set<String> ids = new HashSet<>();
		Set<String> models = new HashSet<>();
		List<String> lines = file.lines();
		if (lines.isEmpty()) {
			problems.add("line 0: empty_file");
		}
		for (int i = 0; i < lines.size(); i++) {
			JsonNode line;
			try {
				line = this.mapper.readTree(lines.get(i));
			}
			catch (RuntimeException ex) {
				problems.add("line " + (i + 1) + ": invalid_json_line");
				continue;
			}
			String url = line.path("url").asString("");
			if (!line.path("custom_id").isString() || !ids.add(line.path("custom_id").asString())) {
				problems.add("line " + (i + 1) + ": duplicate_custom_id or missing custom_id");
			}
			if (!"POST".equals(line.path("method").asString(""))
					|| ((endpoint != null) ? !url.equals(endpoint) : !this.quirks.endpoints().contains(url))) {
				problems.add("line " + (i + 1) + ": url_mismatch " + url);
			}
			String model = line.path("body").path("model").asString("");
			models.add(model);
			if (!this.quirks.deployments().isEmpty() && !this.quirks.deployments().contains(model)) {
				problems.add("line " + (i + 1) + ": model_not_found " + model);
			}
		}
		if (models.size() > 1) {
			problems.add("line 1: model_mismatch " + models);
		}
		return problems;
	}

	private <T> MockResponse list(HttpUrl url, List<T> items, java.util.function.Function<T, ObjectNode> json) {
		List<T> newestFirst = new ArrayList<>(items);
		java.util.Collections.reverse(newestFirst);
		String after = url.queryParameter("after");
		int limit = (url.queryParameter("limit") != null) ? Integer.parseInt(url.queryParameter("limit")) : 20;
		List<ObjectNode> all = newestFirst.stream().map(json).toList();
		int start = 0;
		if (after != null) {
			start = all.size();
			for (int i = 0; i < all.size(); i++) {
				if (all.get(i).path("id").asString().equals(after)) {
					start = i + 1;
				}
			}
		}
		List<ObjectNode> page = all.subList(start, Math.min(all.size(), start + limit));
		ObjectNode list = object().put("object", "list");
		ArrayNode data = list.putArray("data");
		page.forEach(data::add);
		list.put("first_id", page.isEmpty() ? null : page.get(0).path("id").asString());
		list.put("last_id", page.isEmpty() ? null : page.get(page.size() - 1).path("id").asString());
		list.put("has_more", start + limit < all.size());
		return json(200, list);
	}

	private ObjectNode fileJson(StoredFile file) {
		return object().put("id", file.id())
			.put("object", "file")
			.put("bytes", file.content().length)
			.put("created_at", file.createdAt())
			.put("filename", file.filename())
			.put("purpose", file.purpose())
			.put("status", "processed");
	}

	private ObjectNode batchJson(ReplicaBatch batch) {
		ObjectNode node = object().put("id", batch.id)
			.put("object", "batch")
			.put("endpoint", batch.endpoint)
			.put("input_file_id", batch.inputFileId)
			.put("completion_window", batch.window)
			.put("status", this.quirks.capitalisedStatuses() ? capitalised(batch.status) : batch.status)
			.put("output_file_id", batch.outputFileId)
			.put("error_file_id", batch.errorFileId);
		if (batch.errors.isEmpty()) {
			node.putNull("errors");
		}
		else {
			ArrayNode data = node.putObject("errors").put("object", "list").putArray("data");
			for (String problem : batch.errors) {
				String[] parts = problem.split(": ", 2);
				data.addObject()
					.put("code", parts[1].split(" ")[0])
					.put("message", problem)
					.putNull("param")
					.put("line", Integer.parseInt(parts[0].substring("line ".length())));
			}
		}
		time(node, "created_at", batch.createdAt);
		time(node, "in_progress_at", batch.inProgressAt);
		time(node, "expires_at", batch.createdAt + 86_400);
		time(node, "finalizing_at", batch.finalizingAt);
		time(node, "completed_at", batch.completedAt);
		time(node, "failed_at", batch.failedAt);
		time(node, "expired_at", batch.expiredAt);
		time(node, "cancelling_at", batch.cancellingAt);
		time(node, "cancelled_at", batch.cancelledAt);
		if (this.quirks.nullCountsWhileValidating() && batch.status.equals("validating")) {
			node.putNull("request_counts");
		}
		else {
			boolean ended = batch.results != null || batch.outputFileId != null || batch.errorFileId != null;
			node.putObject("request_counts")
				.put("total", batch.total)
				.put("completed", ended ? batch.succeeded : batch.done)
				.put("failed", ended ? batch.failed : 0);
		}
		node.set("metadata", batch.metadata);
		return node;
	}

	private void time(ObjectNode node, String field, @Nullable Long seconds) {
		if (seconds == null) {
			node.putNull(field);
		}
		else if (this.quirks.isoTimestamps()) {
			node.put(field, Instant.ofEpochSecond(seconds).toString());
		}
		else {
			node.put(field, seconds);
		}
	}

	private static String capitalised(String status) {
		return status.substring(0, 1).toUpperCase(Locale.ROOT) + status.substring(1);
	}

	/** A bearer token, or (Azure) an {@code api-key} header, which Azure takes too. */
	private void checkCredentials(RecordedRequest request) {
		String bearer = request.getHeaders().get("Authorization");
		String apiKey = request.getHeaders().get("api-key");
		boolean accepted = ("Bearer " + this.quirks.key()).equals(bearer)
				|| (this.quirks.apiKeyHeader() && this.quirks.key().equals(apiKey) && bearer == null);
		if (!accepted) {
			throw refuse(401, "credentials: Authorization " + bearer + ", api-key " + apiKey);
		}
	}

	private MockResponse notFound(String message) {
		return json(404, error(message, null));
	}

	private ObjectNode error(String message, @Nullable String code) {
		return object().set("error",
				object().put("message", message)
					.put("type", "invalid_request_error")
					.putNull("param")
					.put("code", code));
	}

	@Override
	String errorBody(String message) {
		return object()
			.set("error", object().put("message", message).put("type", "server_error").putNull("param").putNull("code"))
			.toString();
	}

	@Override
	protected Refusal refuse(int status, String message) {
		return new Refusal(message, json(status, error(message, null)));
	}

	private String next() {
		return String.format("%06d", ++this.sequence);
	}

	/**
	 * A family's departures from OpenAI.
	 *
	 * @param prefix the path prefix of its API, such as {@code /v1}
	 * @param key the key it accepts
	 * @param apiKeyHeader whether the key may also go in {@code api-key} (Azure)
	 * @param apiVersion the {@code api-version} every call must carry (Azure's legacy
	 * API), or {@code null}
	 * @param endpoints the endpoints it runs
	 * @param windows the completion windows it accepts
	 * @param deployments the deployments lines may name (Azure), empty when any model
	 * goes
	 * @param capitalisedStatuses statuses written {@code Validating} (Azure's older API
	 * versions)
	 * @param isoTimestamps timestamps as ISO-8601 strings (Azure's older API versions)
	 * @param nullCountsWhileValidating {@code request_counts: null} while validating
	 * @param errorFileAlways an error file even when every request succeeded (Azure)
	 * @param validatesLinesAtUpload every line checked when the file is uploaded
	 * (Perplexity)
	 * @param refusesExpiresAfter {@code expires_after} and {@code output_expires_after}
	 * refused (Perplexity)
	 * @param idempotencyKeys creates deduplicated by {@code Idempotency-Key} (Perplexity)
	 * @param batchPurposeOnly uploads only with purpose {@code batch}
	 * @param cancelByDelete cancel is {@code DELETE /batches/{id}} (Cerebras)
	 * @param resultsEndpoint no output files, results at {@code /batches/{id}/results} in
	 * Cerebras' line format (Cerebras)
	 */
	record Quirks(String prefix, String key, boolean apiKeyHeader, @Nullable String apiVersion, Set<String> endpoints,
			Predicate<String> windows, Set<String> deployments, boolean capitalisedStatuses, boolean isoTimestamps,
			boolean nullCountsWhileValidating, boolean errorFileAlways, boolean validatesLinesAtUpload,
			boolean refusesExpiresAfter, boolean idempotencyKeys, boolean batchPurposeOnly, boolean cancelByDelete,
			boolean resultsEndpoint) {

		static Quirks openAi(String prefix, String key, Set<String> endpoints) {
			return new Quirks(prefix, key, false, null, endpoints, "24h"::equals, Set.of(), false, false, false, false,
					false, false, false, false, false, false);
		}

		Quirks windows(Predicate<String> accepted) {
			return new Quirks(this.prefix, this.key, this.apiKeyHeader, this.apiVersion, this.endpoints, accepted,
					this.deployments, this.capitalisedStatuses, this.isoTimestamps, this.nullCountsWhileValidating,
					this.errorFileAlways, this.validatesLinesAtUpload, this.refusesExpiresAfter, this.idempotencyKeys,
					this.batchPurposeOnly, this.cancelByDelete, this.resultsEndpoint);
		}

		Quirks azure(@Nullable String apiVersion, Set<String> deployments) {
			return new Quirks(this.prefix, this.key, true, apiVersion, this.endpoints, this.windows, deployments,
					apiVersion != null, apiVersion != null, true, true, false, false, false, false, false, false);
		}

		Quirks perplexity() {
			return new Quirks(this.prefix, this.key, false, null, this.endpoints, this.windows, Set.of(), false, false,
					false, false, true, true, true, true, false, false);
		}

		Quirks cerebras() {
			return new Quirks(this.prefix, this.key, false, null, this.endpoints, this.windows, Set.of(), false, false,
					true, false, false, false, false, false, true, true);
		}

	}

	private record StoredFile(String id, String filename, String purpose, byte[] content, long createdAt) {

		List<String> lines() {
			return new String(this.content, StandardCharsets.UTF_8).lines().filter((line) -> !line.isBlank()).toList();
		}

	}

	/** One batch's state. */
	private static final class ReplicaBatch {

		final String id;

		final String endpoint;

		final String inputFileId;

		final String window;

		final @Nullable JsonNode metadata;

		final long createdAt;

		String status = "validating";

		@Nullable Long inProgressAt;

		@Nullable Long finalizingAt;

		@Nullable Long completedAt;

		@Nullable Long failedAt;

		@Nullable Long expiredAt;

		@Nullable Long cancellingAt;

		@Nullable Long cancelledAt;

		int total;

		int done;

		int succeeded;

		int failed;

		List<String> errors = List.of();

		@Nullable String outputFileId;

		@Nullable String errorFileId;

		@Nullable List<String> results;

		ReplicaBatch(String id, String endpoint, String inputFileId, String window, @Nullable JsonNode metadata,
				long createdAt) {
			this.id = id;
			this.endpoint = endpoint;
			this.inputFileId = inputFileId;
			this.window = window;
			this.metadata = metadata;
			this.createdAt = createdAt;
		}

	}

}
