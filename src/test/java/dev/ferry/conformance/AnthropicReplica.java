package dev.ferry.conformance;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

import mockwebserver3.MockResponse;
import mockwebserver3.RecordedRequest;
import okhttp3.HttpUrl;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Anthropic's Message Batches API: a batch is {@code in_progress} when created and when
 * first retrieved, and has ended by the second retrieve, its results streamed from its
 * {@code results_url}; a request whose text contains {@code FAIL} is {@code errored},
 * every other one {@code succeeded} with an echo. Requests are checked as Anthropic
 * checks them: {@code custom_id} in {@code ^[a-zA-Z0-9_-]{1,64}$} and unique,
 * {@code params} with a model, a positive {@code max_tokens} and messages of user and
 * assistant turns.
 */
final class AnthropicReplica extends Replica {

	private static final Pattern CUSTOM_ID = Pattern.compile("[a-zA-Z0-9_-]{1,64}");

	private final String key;

	private final Map<String, ReplicaBatch> batches = new LinkedHashMap<>();

	private int sequence;

	AnthropicReplica(String key) {
		this.key = key;
	}

	@Override
	String baseUrl() {
		return server().url("/").toString();
	}

	@Override
	protected MockResponse answer(RecordedRequest request) {
		if (!this.key.equals(request.getHeaders().get("x-api-key"))) {
			throw refuse(401, "x-api-key: " + request.getHeaders().get("x-api-key"));
		}
		if (request.getHeaders().get("anthropic-version") == null) {
			throw refuse(400, "anthropic-version missing");
		}
		HttpUrl url = request.getUrl();
		String path = url.encodedPath();
		String base = "/v1/messages/batches";
		if (!path.startsWith(base)) {
			throw refuse(404, "no such path");
		}
		String[] segments = path.substring(base.length()).split("/");
		String method = request.getMethod();
		if (segments.length <= 1) {
			return method.equals("POST") ? create(request) : list(url);
		}
		ReplicaBatch batch = this.batches.get(segments[1]);
		if (batch == null) {
			return json(404, error("not_found_error", "No message batch found with id " + segments[1]));
		}
		if (segments.length == 2 && method.equals("GET")) {
			advance(batch);
			return json(200, batchJson(batch));
		}
		if (segments.length == 2 && method.equals("DELETE")) {
			if (!batch.status.equals("ended")) {
				return json(400, error("invalid_request_error", "Batch " + batch.id + " is still processing"));
			}
			this.batches.remove(batch.id);
			return json(200, object().put("id", batch.id).put("type", "message_batch_deleted"));
		}
		if (segments.length == 3 && segments[2].equals("cancel") && method.equals("POST")) {
			if (batch.status.equals("in_progress")) {
				batch.status = "canceling";
				batch.cancelInitiatedAt = now();
			}
			return json(200, batchJson(batch));
		}
		if (segments.length == 3 && segments[2].equals("results") && method.equals("GET")) {
			if (!batch.status.equals("ended")) {
				throw refuse(400, "results asked for before the batch ended");
			}
			return new MockResponse.Builder().code(200)
				.addHeader("Content-Type", "application/binary")
				.body(String.join("\n", batch.results) + "\n")
				.build();
		}
		throw refuse(405, "no such operation");
	}

	private MockResponse create(RecordedRequest request) {
		JsonNode body = body(request);
		if (!body.isObject() || body.size() != 1 || !body.path("requests").isArray()
				|| body.path("requests").isEmpty()) {
			throw refuse(400, "expected exactly {requests: [...]}");
		}
		Set<String> ids = new HashSet<>();
		for (JsonNode item : body.path("requests")) {
			String customId = item.path("custom_id").asString("");
			if (!CUSTOM_ID.matcher(customId).matches() || !ids.add(customId)) {
				throw refuse(400, "custom_id '" + customId + "'");
			}
			JsonNode params = item.path("params");
			if (!params.path("model").isString() || params.path("max_tokens").asInt(0) < 1
					|| !params.path("messages").isArray() || params.path("messages").isEmpty()) {
				throw refuse(400, "params of " + customId + ": " + params);
			}
			for (JsonNode message : params.path("messages")) {
				String role = message.path("role").asString("");
				if (!role.equals("user") && !role.equals("assistant")) {
					throw refuse(400, "role " + role);
				}
			}
		}
		ReplicaBatch batch = new ReplicaBatch("msgbatch_" + String.format("%06d", ++this.sequence),
				body.path("requests"), now());
		this.batches.put(batch.id, batch);
		return json(200, batchJson(batch));
	}

	private MockResponse list(HttpUrl url) {
		List<ReplicaBatch> newestFirst = new ArrayList<>(this.batches.values());
		java.util.Collections.reverse(newestFirst);
		int limit = (url.queryParameter("limit") != null) ? Integer.parseInt(url.queryParameter("limit")) : 20;
		int start = 0;
		int end = newestFirst.size();
		for (int i = 0; i < newestFirst.size(); i++) {
			if (newestFirst.get(i).id.equals(url.queryParameter("after_id"))) {
				start = i + 1;
			}
			if (newestFirst.get(i).id.equals(url.queryParameter("before_id"))) {
				end = i;
			}
		}
		List<ReplicaBatch> page = newestFirst.subList(start, Math.max(start, Math.min(end, start + limit)));
		ObjectNode list = object();
		ArrayNode data = list.putArray("data");
		page.forEach((batch) -> data.add(batchJson(batch)));
		list.put("has_more", start + limit < end);
		list.put("first_id", page.isEmpty() ? null : page.get(0).id);
		list.put("last_id", page.isEmpty() ? null : page.get(page.size() - 1).id);
		return json(200, list);
	}

	private void advance(ReplicaBatch batch) {
		if (batch.status.equals("ended")) {
			return;
		}
		if (batch.status.equals("in_progress") && batch.retrieves++ == 0) {
			return;
		}
		boolean canceled = batch.status.equals("canceling");
		batch.status = "ended";
		batch.endedAt = now();
		for (JsonNode item : batch.requests) {
			String customId = item.path("custom_id").asString();
			String text = Echo.text(item.path("params"));
			ObjectNode line = object().put("custom_id", customId);
			if (canceled) {
				line.putObject("result").put("type", "canceled");
				batch.canceled++;
			}
			else if (text.contains("FAIL")) {
				line.putObject("result")
					.put("type", "errored")
					.set("error", error("invalid_request_error", "the replica refused it"));
				batch.errored++;
			}
			else {
				line.putObject("result")
					.put("type", "succeeded")
					.set("message", message(item.path("params"), customId));
				batch.succeeded++;
			}
			batch.results.add(this.mapper.writeValueAsString(line));
		}
	}

	private ObjectNode message(JsonNode params, String customId) {
		ObjectNode message = object().put("id", "msg_" + customId)
			.put("type", "message")
			.put("role", "assistant")
			.put("model", params.path("model").asString());
		message.putArray("content").addObject().put("type", "text").put("text", "echo: " + Echo.text(params));
		message.put("stop_reason", "end_turn").putNull("stop_sequence");
		message.putObject("usage").put("input_tokens", 3).put("output_tokens", 2);
		return message;
	}

	private ObjectNode batchJson(ReplicaBatch batch) {
		boolean ended = batch.status.equals("ended");
		ObjectNode node = object().put("id", batch.id)
			.put("type", "message_batch")
			.put("processing_status", batch.status);
		node.putObject("request_counts")
			.put("processing", ended ? 0 : batch.requests.size())
			.put("succeeded", batch.succeeded)
			.put("errored", batch.errored)
			.put("canceled", batch.canceled)
			.put("expired", 0);
		node.put("created_at", rfc3339(batch.createdAt));
		node.put("expires_at", rfc3339(batch.createdAt + 86_400));
		node.put("ended_at", rfc3339(batch.endedAt));
		node.put("cancel_initiated_at", rfc3339(batch.cancelInitiatedAt));
		node.putNull("archived_at");
		node.put("results_url", ended ? baseUrl() + "v1/messages/batches/" + batch.id + "/results" : null);
		return node;
	}

	private static @Nullable String rfc3339(@Nullable Long seconds) {
		return (seconds != null) ? Instant.ofEpochSecond(seconds).toString() : null;
	}

	private ObjectNode error(String type, String message) {
		return object().put("type", "error").set("error", object().put("type", type).put("message", message));
	}

	@Override
	String errorBody(String message) {
		return error("api_error", message).toString();
	}

	@Override
	protected Refusal refuse(int status, String message) {
		return new Refusal(message, json(status, error("invalid_request_error", message)));
	}

	/** One batch's state. */
	private static final class ReplicaBatch {

		final String id;

		final JsonNode requests;

		final long createdAt;

		String status = "in_progress";

		int retrieves;

		@Nullable Long endedAt;

		@Nullable Long cancelInitiatedAt;

		int succeeded;

		int errored;

		int canceled;

		final List<String> results = new ArrayList<>();

		ReplicaBatch(String id, JsonNode requests, long createdAt) {
			this.id = id;
			this.requests = requests;
			this.createdAt = createdAt;
		}

	}

}
