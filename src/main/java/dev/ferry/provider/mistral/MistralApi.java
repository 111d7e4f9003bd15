package dev.ferry.provider.mistral;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import dev.ferry.batch.BatchError;
import dev.ferry.batch.BatchStatus;
import dev.ferry.batch.BatchTimes;
import dev.ferry.batch.ProviderDescriptor;
import dev.ferry.batch.RequestCounts;
import dev.ferry.files.InputRequest;
import dev.ferry.provider.jobs.JobApi;
import dev.ferry.provider.jobs.JobClient;
import dev.ferry.provider.jobs.JobState;
import dev.ferry.provider.jobs.JobSubmission;
import dev.ferry.provider.jobs.JobTimes;
import dev.ferry.provider.jobs.ResultLine;
import dev.ferry.results.JsonLines;

import org.springframework.core.io.buffer.DataBuffer;

/**
 * Mistral's batch jobs on the wire. A batch goes up as a JSONL file of {@code {custom_id,
 * body}} lines (no method, url or model: the model is the job's), uploaded with
 * {@code purpose=batch}, then a job on it. Statuses map one to one; Mistral's own is kept
 * beside OpenAI's.
 */
final class MistralApi implements JobApi {

	/** Mistral pages its job list by number; a hundred is its largest page. */
	private static final int PAGE_SIZE = 100;

	private final JobClient client;

	private final JsonMapper mapper;

	private final int maxLineBytes;

	MistralApi(JobClient client, JsonMapper mapper, int maxLineBytes) {
		this.client = client;
		this.mapper = mapper;
		this.maxLineBytes = maxLineBytes;
	}

	@Override
	public ProviderDescriptor descriptor() {
		return MistralFamily.DESCRIPTOR;
	}

	/**
	 * Inline requests go in the job itself; a file's go up as a file first, so that a
	 * large batch streams rather than sitting in one request body.
	 */
	@Override
	public Mono<JsonNode> submit(JobSubmission submission) {
		if (submission.inline()) {
			return submission.requests().get().map(this::item).collectList().flatMap((items) -> {
				ObjectNode job = this.mapper.createObjectNode();
				job.putArray("requests").addAll(items);
				return create(job, submission);
			});
		}
		return this.client
			.upload((uri) -> uri.path("/v1/files").build(), (form) -> form.part("purpose", "batch"), "file",
					submission.name() + ".jsonl", submission.requests().get().map(this::line))
			.flatMap((file) -> {
				ObjectNode job = this.mapper.createObjectNode();
				job.putArray("input_files").add(file.path("id").asString());
				return create(job, submission);
			});
	}

	private Mono<JsonNode> create(ObjectNode job, JobSubmission submission) {
		job.put("endpoint", submission.endpoint());
		job.put("model", submission.model());
		if (submission.metadata() != null) {
			ObjectNode metadata = job.putObject("metadata");
			submission.metadata().forEach(metadata::put);
		}
		job.put("timeout_hours", 24);
		return this.client.create((uri) -> uri.path("/v1/batch/jobs").build(), job);
	}

	/**
	 * A request as Mistral takes it: {@code {custom_id, body}}, the model being the
	 * job's.
	 */
	private ObjectNode item(InputRequest request) {
		ObjectNode item = this.mapper.createObjectNode().put("custom_id", request.customId());
		item.set("body", request.body());
		return item;
	}

	private DataBuffer line(InputRequest request) {
		return JsonLines.line(this.mapper, item(request));
	}

	@Override
	public Mono<JsonNode> retrieve(String jobId) {
		return this.client.get((uri) -> uri.path("/v1/batch/jobs/{id}").build(jobId));
	}

	@Override
	public Flux<JsonNode> list() {
		return page(0).expand((page) -> hasNext(page) ? page(page.path("page").asInt() + 1) : Mono.empty())
			.concatMapIterable((page) -> page.path("body").path("data"));
	}

	private Mono<JsonNode> page(int number) {
		return this.client
			.get((uri) -> uri.path("/v1/batch/jobs")
				.queryParam("page", number)
				.queryParam("page_size", PAGE_SIZE)
				.queryParam("order_by", "-created")
				.build())
			.map((body) -> {
				ObjectNode page = this.mapper.createObjectNode().put("page", number);
				page.set("body", body);
				return page;
			});
	}

	private static boolean hasNext(JsonNode page) {
		int shown = (page.path("page").asInt() + 1) * PAGE_SIZE;
		return page.path("body").path("data").size() == PAGE_SIZE && shown < page.path("body").path("total").asInt();
	}

	@Override
	public Mono<JsonNode> cancel(String jobId) {
		return this.client.postIdempotent((uri) -> uri.path("/v1/batch/jobs/{id}/cancel").build(jobId));
	}

	@Override
	public String id(JsonNode job) {
		return job.path("id").asString("");
	}

	@Override
	public JobState state(JsonNode job) {
		String nativeStatus = job.path("status").asString("");
		BatchStatus status = status(nativeStatus);
		long total = job.path("total_requests").asLong(0);
		long succeeded = job.path("succeeded_requests").asLong(0);
		long failed = job.path("failed_requests").asLong(0);
		long processed = Math.max(job.path("completed_requests").asLong(0), succeeded + failed);
		RequestCounts counts = JobState.counts(status, total, succeeded, failed, processed);
		Long created = JobTimes.seconds(job, "created_at");
		Long ended = JobTimes.seconds(job, "completed_at");
		BatchTimes times = new BatchTimes((created != null) ? created : 0, JobTimes.seconds(job, "started_at"),
				(created != null) ? created + 24 * 3600 : null, null, (status == BatchStatus.COMPLETED) ? ended : null,
				(status == BatchStatus.FAILED) ? ended : null, (status == BatchStatus.EXPIRED) ? ended : null, null,
				(status == BatchStatus.CANCELLED) ? ended : null, null);
		List<BatchError> errors = new ArrayList<>();
		for (JsonNode error : job.path("errors")) {
			errors.add(new BatchError("batch_error", error.path("message").asString(""), null, null));
		}
		return new JobState(status, nativeStatus, counts, times, errors, text(job, "endpoint"), text(job, "model"),
				metadata(job.path("metadata")), null);
	}

	/**
	 * OpenAI's status for Mistral's: the seven map one to one. A status Mistral adds
	 * later reads as {@code in_progress}, so that pollers keep polling, with Mistral's
	 * own kept beside it.
	 * @param status Mistral's status
	 * @return OpenAI's
	 */
	static BatchStatus status(String status) {
		return switch (status) {
			case "QUEUED" -> BatchStatus.VALIDATING;
			case "SUCCESS" -> BatchStatus.COMPLETED;
			case "FAILED" -> BatchStatus.FAILED;
			case "TIMEOUT_EXCEEDED" -> BatchStatus.EXPIRED;
			case "CANCELLATION_REQUESTED" -> BatchStatus.CANCELLING;
			case "CANCELLED" -> BatchStatus.CANCELLED;
			default -> BatchStatus.IN_PROGRESS;
		};
	}

	/**
	 * The output file's lines, then the error file's: both are OpenAI-shaped already
	 * ({@code {id, custom_id, response, error}}).
	 */
	@Override
	public Flux<ResultLine> results(JsonNode job) {
		return Flux.concat(file(text(job, "output_file"), true), file(text(job, "error_file"), false));
	}

	private Flux<ResultLine> file(@Nullable String fileId, boolean succeeded) {
		if (fileId == null) {
			return Flux.empty();
		}
		return this.client.download((uri) -> uri.path("/v1/files/{id}/content").build(fileId))
			.flatMapMany((body) -> JsonLines.frame(body, this.maxLineBytes))
			.map((line) -> new ResultLine(succeeded, (ObjectNode) this.mapper.readTree(line.text())));
	}

	private static @Nullable Map<String, String> metadata(JsonNode node) {
		if (!node.isObject() || node.isEmpty()) {
			return null;
		}
		Map<String, String> metadata = new LinkedHashMap<>();
		node.properties()
			.forEach((entry) -> metadata.put(entry.getKey(),
					entry.getValue().isString() ? entry.getValue().stringValue() : entry.getValue().toString()));
		return metadata;
	}

	private static @Nullable String text(JsonNode node, String field) {
		JsonNode value = node.path(field);
		return (value.isString() && !value.stringValue().isEmpty()) ? value.stringValue() : null;
	}

}
