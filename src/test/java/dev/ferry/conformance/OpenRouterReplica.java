package dev.ferry.conformance;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import mockwebserver3.MockResponse;
import mockwebserver3.RecordedRequest;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * OpenRouter's Batch API (openrouter.ai/docs/guides/features/batch-api; RubyLLM's
 * OpenRouter adapter for the shapes): {@code POST /v1/batches} with {@code endpoint},
 * {@code model} and then {@code requests} in that order (OpenRouter parses the body as a
 * stream), at most 5,000 requests, answered {@code 202} and {@code validating}; the batch
 * object carries {@code request_counts} and, once ended, its {@code results} inline. It
 * has no cancel and no list.
 */
final class OpenRouterReplica extends JobReplica {

	private static final Set<String> ENDPOINTS = Set.of("/v1/chat/completions", "/v1/responses", "/v1/messages",
			"/v1/embeddings");

	OpenRouterReplica(String key) {
		super(key);
	}

	@Override
	List<String> createPaths() {
		return List.of("/v1/batches");
	}

	@Override
	String errorBody(String message) {
		return object().set("error", object().put("code", 500).put("message", message)).toString();
	}

	@Override
	protected MockResponse answer(RecordedRequest request) {
		checkKey(request);
		String path = request.getUrl().encodedPath();
		String method = request.getMethod();
		if (path.equals("/v1/batches") && method.equals("POST")) {
			return create(request);
		}
		if (!path.startsWith("/v1/batches/") || !method.equals("GET")) {
			throw refuse(404, "no such operation: " + method + " " + path);
		}
		Job job = this.jobs.get(path.substring("/v1/batches/".length()));
		if (job == null) {
			return json(404, errorBody("batch not found"));
		}
		advance(job);
		return json(200, batchJson(job));
	}

	private MockResponse create(RecordedRequest request) {
		JsonNode body = body(request);
		List<String> order = new ArrayList<>(body.propertyNames());
		if (!order.equals(List.of("endpoint", "model", "requests"))) {
			throw refuse(400, "endpoint and model come before requests, nothing else: " + order);
		}
		String endpoint = body.path("endpoint").asString("");
		String model = body.path("model").asString("");
		if (!ENDPOINTS.contains(endpoint) || model.isEmpty() || !body.path("requests").isArray()
				|| body.path("requests").isEmpty() || body.path("requests").size() > 5_000) {
			throw refuse(400, "one endpoint, one model and 1 to 5,000 requests");
		}
		List<Request> requests = new ArrayList<>();
		Set<String> ids = new HashSet<>();
		for (JsonNode item : body.path("requests")) {
			if (!new HashSet<>(item.propertyNames()).equals(Set.of("custom_id", "body"))
					|| !ids.add(item.path("custom_id").asString(""))) {
				throw refuse(400, "a request is {custom_id, body} with a unique id: " + item);
			}
			JsonNode named = item.path("body").path("model");
			if (named.isString() && !named.asString().equals(model)) {
				throw refuse(400, "a request's model must match the batch's");
			}
			requests.add(new Request(item.path("custom_id").asString(), item.path("body")));
		}
		Job job = new Job("gen-batch-" + nextId(), endpoint, model, requests, now(), null);
		this.jobs.put(job.id, job);
		return json(202, batchJson(job));
	}

	private ObjectNode batchJson(Job job) {
		String status = job.expired ? "expired"
				: job.ended() ? "completed" : (job.startedAt != null) ? "in_progress" : "validating";
		ObjectNode node = object().put("id", job.id)
			.put("object", "batch")
			.put("status", status)
			.put("model", job.model)
			.put("endpoint", job.endpoint)
			.put("provider", "replica");
		node.putObject("request_counts")
			.put("total", job.requests.size())
			.put("completed", job.succeeded())
			.put("failed", job.failed());
		node.put("created_at", job.createdAt).put("expires_at", job.createdAt + 86_400);
		node.put("finalized_at", job.endedAt);
		node.putNull("error");
		ArrayNode results = node.putArray("results");
		if (job.ended()) {
			for (Result result : job.results) {
				ObjectNode row = results.addObject().put("custom_id", result.customId());
				if (result.ok()) {
					row.putObject("response").put("status_code", 200).set("body", result.body());
					row.putNull("error");
				}
				else {
					row.putNull("response");
					row.putObject("error").put("code", "invalid_request").put("message", "the replica refused it");
				}
			}
		}
		node.putObject("usage").put("cost", 0.001);
		return node;
	}

	@Override
	protected Refusal refuse(int status, String message) {
		return new Refusal(message, json(status, errorBody(message)));
	}

}
