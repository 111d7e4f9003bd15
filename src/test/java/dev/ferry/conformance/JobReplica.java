package dev.ferry.conformance;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import mockwebserver3.MockResponse;
import mockwebserver3.RecordedRequest;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import org.springframework.test.context.DynamicPropertyRegistry;

/**
 * The part every job-style provider's replica shares: bearer keys, and jobs that run the
 * same way whatever their wire. A job is queued when created; the first retrieve finds it
 * running with one request done, the second finds it ended. A request whose text holds
 * {@code FAIL} fails, every other one is answered with an echo. A cancel stops the job
 * where it is: requests not yet run are never run.
 */
abstract class JobReplica extends Replica {

	private final String key;

	protected final Map<String, Job> jobs = Collections.synchronizedMap(new LinkedHashMap<>());

	private int sequence;

	private final java.util.Set<String> deleted = java.util.concurrent.ConcurrentHashMap.newKeySet();

	JobReplica(String key) {
		this.key = key;
	}

	String key() {
		return this.key;
	}

	@Override
	String baseUrl() {
		return server().url("/").toString();
	}

	/**
	 * Configures a provider of this replica's family on it: its base URL, its key and its
	 * other settings.
	 * @param registry the test's properties
	 * @param name the provider name
	 */
	void register(DynamicPropertyRegistry registry, String name) {
		registry.add("ferry.providers." + name + ".base-url", this::baseUrl);
		registry.add("ferry.providers." + name + ".api-key", this::key);
		settings().forEach((key, value) -> registry.add("ferry.providers." + name + "." + key, () -> value));
	}

	/**
	 * Settings the provider needs beyond its key and base URL.
	 * @return {@code ferry.providers.<name>.*} settings by their key
	 */
	Map<String, String> settings() {
		return Map.of();
	}

	/**
	 * The paths a create from inline requests calls, in order; {@code {id}} stands for an
	 * id Ferry chose.
	 * @return the paths
	 */
	abstract List<String> createPaths();

	protected void checkKey(RecordedRequest request) {
		if (!("Bearer " + this.key).equals(request.getHeaders().get("Authorization"))) {
			throw refuse(401, "Authorization: " + request.getHeaders().get("Authorization"));
		}
	}

	/**
	 * Whether a job was deleted.
	 * @param id the job
	 * @return true once deleted
	 */
	boolean deleted(String id) {
		return this.deleted.contains(id);
	}

	/**
	 * The calls on one job as Google's APIs take them: {@code POST …:cancel}, a read that
	 * moves the job on, and a delete of a job that has ended.
	 * @param method the HTTP method
	 * @param path the whole path, for errors
	 * @param rest the path after the jobs' collection: the id, with {@code :cancel}
	 * @param resource the job as the API shows it
	 * @return the answer
	 */
	protected MockResponse googleJob(String method, String path, String rest,
			java.util.function.Function<Job, JsonNode> resource) {
		boolean cancel = rest.endsWith(":cancel");
		String id = cancel ? rest.substring(0, rest.length() - ":cancel".length()) : rest;
		Job job = this.jobs.get(id);
		if (job == null || this.deleted.contains(id)) {
			return json(404, errorBody("job " + id + " not found"));
		}
		if (cancel && method.equals("POST")) {
			if (!job.ended()) {
				job.cancelRequested = true;
			}
			return json(200, object());
		}
		if (method.equals("GET")) {
			advance(job);
			return json(200, resource.apply(job));
		}
		if (method.equals("DELETE")) {
			if (!job.ended()) {
				throw refuse(400, "job " + id + " is still running: only finished jobs can be deleted");
			}
			this.deleted.add(id);
			return json(200, object());
		}
		throw refuse(405, "no such operation: " + method + " " + path);
	}

	protected String nextId() {
		return String.format("%06d", ++this.sequence);
	}

	/**
	 * Moves a job on by one step, as a retrieve finds it.
	 * @param job the job
	 */
	protected void advance(Job job) {
		if (job.ended()) {
			return;
		}
		if (job.cancelRequested) {
			job.cancelled = true;
			job.endedAt = now();
			return;
		}
		if (job.startedAt == null) {
			job.startedAt = now();
			run(job, 1);
			return;
		}
		run(job, job.requests.size());
		job.endedAt = now();
	}

	/**
	 * Whether the provider ends jobs it runs out of time for in a status of their own.
	 * @return true unless the provider has no such status
	 */
	boolean expires() {
		return true;
	}

	/**
	 * Ends a job as the provider ends one it ran out of time for.
	 * @param jobId the job
	 */
	void expire(String jobId) {
		Job job = this.jobs.get(jobId);
		job.expired = true;
		job.endedAt = now();
	}

	private void run(Job job, int upTo) {
		while (job.results.size() < Math.min(upTo, job.requests.size())) {
			Request request = job.requests.get(job.results.size());
			boolean failed = Echo.text(request.body()).contains("FAIL");
			job.results.add(new Result(request.customId(), !failed, failed ? null : Echo.response(this.mapper,
					job.endpoint, withModel(request.body(), job.model), "resp-" + request.customId())));
		}
	}

	private JsonNode withModel(JsonNode body, String model) {
		ObjectNode copy = ((ObjectNode) body).deepCopy();
		copy.put("model", model);
		return copy;
	}

	/** One job, whatever the wire. */
	protected static final class Job {

		final String id;

		final String endpoint;

		final String model;

		final List<Request> requests;

		final long createdAt;

		final @Nullable JsonNode metadata;

		@Nullable Long startedAt;

		@Nullable Long endedAt;

		@Nullable Long cancelRequestedAt;

		boolean cancelRequested;

		boolean cancelled;

		boolean expired;

		final List<Result> results = new ArrayList<>();

		Job(String id, String endpoint, String model, List<Request> requests, long createdAt,
				@Nullable JsonNode metadata) {
			this.id = id;
			this.endpoint = endpoint;
			this.model = model;
			this.requests = requests;
			this.createdAt = createdAt;
			this.metadata = metadata;
		}

		boolean ended() {
			return this.endedAt != null;
		}

		long succeeded() {
			return this.results.stream().filter(Result::ok).count();
		}

		long failed() {
			return this.results.size() - succeeded();
		}

	}

	/**
	 * One request as the provider received it.
	 *
	 * @param customId its id
	 * @param body its body, without a model
	 */
	protected record Request(String customId, JsonNode body) {
	}

	/**
	 * One request's result.
	 *
	 * @param customId the request's id
	 * @param ok whether it succeeded
	 * @param body the response body, for one that succeeded
	 */
	protected record Result(String customId, boolean ok, @Nullable JsonNode body) {
	}

}
