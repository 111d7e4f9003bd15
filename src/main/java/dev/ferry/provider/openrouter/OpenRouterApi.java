package dev.ferry.provider.openrouter;

import java.nio.charset.StandardCharsets;
import java.util.List;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import dev.ferry.batch.ApiError;
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
import dev.ferry.results.ArrayFieldReader;
import dev.ferry.upstream.StreamedArrayBody;

/**
 * OpenRouter's batches on the wire. The create body is
 * {@code {"endpoint":…,"model":…,"requests":[{custom_id, body}…]}}, written in that order
 * because OpenRouter parses it as a stream and refuses another; it is sized in a first
 * pass, so that a batch over 200 MB is refused before anything is sent, and streamed in a
 * second. The batch object carries its results inline: it is read as it arrives, the
 * results let go of when only the status is wanted and given one by one when they are.
 */
final class OpenRouterApi implements JobApi {

	static final int MAX_REQUESTS = 5_000;

	static final long MAX_BODY_BYTES = 200L * 1024 * 1024;

	private static final String RESULTS = "results";

	private final JobClient client;

	private final JsonMapper mapper;

	OpenRouterApi(JobClient client, JsonMapper mapper) {
		this.client = client;
		this.mapper = mapper;
	}

	@Override
	public ProviderDescriptor descriptor() {
		return OpenRouterFamily.DESCRIPTOR;
	}

	@Override
	public Mono<JsonNode> submit(JobSubmission submission) {
		byte[] open = open(submission.endpoint(), submission.model());
		byte[] close = "]}".getBytes(StandardCharsets.UTF_8);
		return submission.requests()
			.get()
			.map(this::item)
			.reduce(0L, (bytes, item) -> bytes + item.length)
			.flatMap((items) -> {
				long size = StreamedArrayBody.size(open.length, submission.count(), items, close.length);
				if (size > MAX_BODY_BYTES) {
					return Mono.error(
							ApiError.tooLarge("the batch's create body would be " + size + " bytes (expected: at most "
									+ MAX_BODY_BYTES + ", OpenRouter's 200 MB limit; split the batch)"));
				}
				return this.client.create((uri) -> uri.path("/v1/batches").build(),
						StreamedArrayBody.of(open, submission.requests().get().map(this::item), close), size);
			});
	}

	/** The fields OpenRouter must read before the requests, then the array's start. */
	private byte[] open(String endpoint, String model) {
		String fields = this.mapper
			.writeValueAsString(this.mapper.createObjectNode().put("endpoint", endpoint).put("model", model));
		return (fields.substring(0, fields.length() - 1) + ",\"requests\":[").getBytes(StandardCharsets.UTF_8);
	}

	private byte[] item(InputRequest request) {
		ObjectNode item = this.mapper.createObjectNode().put("custom_id", request.customId());
		item.set("body", request.body());
		return this.mapper.writeValueAsBytes(item);
	}

	/** The batch without its inline results, which are read past and let go of. */
	@Override
	public Mono<JsonNode> retrieve(String jobId) {
		return parts(jobId).filter((part) -> !part.element()).next().map(ArrayFieldReader.Part::node);
	}

	private Flux<ArrayFieldReader.Part> parts(String jobId) {
		return this.client.download((uri) -> uri.path("/v1/batches/{id}").build(jobId))
			.flatMapMany((body) -> ArrayFieldReader.read(this.mapper, body, RESULTS));
	}

	/** OpenRouter's list is undocumented: Ferry lists the batches it created. */
	@Override
	public Flux<JsonNode> list() {
		return Flux.empty();
	}

	@Override
	public boolean lists() {
		return false;
	}

	@Override
	public Mono<JsonNode> cancel(String jobId) {
		return Mono.error(new IllegalStateException("OpenRouter has no batch cancel"));
	}

	@Override
	public String id(JsonNode job) {
		return job.path("id").asString("");
	}

	@Override
	public JobState state(JsonNode job) {
		String nativeStatus = job.path("status").asString("");
		BatchStatus status = BatchStatus.fromWire(nativeStatus);
		if (status == null) {
			status = BatchStatus.IN_PROGRESS;
		}
		JsonNode counts = job.path("request_counts");
		long total = counts.path("total").asLong(0);
		long completed = counts.path("completed").asLong(0);
		long failed = counts.path("failed").asLong(0);
		Long created = JobTimes.seconds(job, "created_at");
		Long finalized = JobTimes.seconds(job, "finalized_at");
		BatchTimes times = new BatchTimes((created != null) ? created : 0, JobTimes.seconds(job, "in_progress_at"),
				JobTimes.seconds(job, "expires_at"), null, (status == BatchStatus.COMPLETED) ? finalized : null,
				(status == BatchStatus.FAILED) ? finalized : null, (status == BatchStatus.EXPIRED) ? finalized : null,
				null, (status == BatchStatus.CANCELLED) ? finalized : null, null);
		RequestCounts requestCounts = JobState.counts(status, total, completed, failed, completed + failed);
		return new JobState(status, nativeStatus, requestCounts, times, errors(job.path("error")),
				text(job, "endpoint"), text(job, "model"), null, job.get("usage"));
	}

	private static List<BatchError> errors(JsonNode error) {
		if (error.isString()) {
			return List.of(new BatchError("batch_failed", error.stringValue(), null, null));
		}
		if (error.isObject()) {
			return List.of(new BatchError(error.path("code").asString("batch_failed"),
					error.path("message").asString(error.toString()), null, null));
		}
		return List.of();
	}

	/**
	 * The inline results, one by one as the batch object streams in; each
	 * {@code {custom_id, response: {status_code, body}, error}} is already an OpenAI
	 * line.
	 */
	@Override
	public Flux<ResultLine> results(JsonNode job) {
		return parts(id(job)).filter(ArrayFieldReader.Part::element).map((part) -> {
			ObjectNode row = (ObjectNode) part.node();
			ObjectNode line = this.mapper.createObjectNode()
				.put("id", "batch_req_" + row.path("custom_id").asString(""))
				.put("custom_id", row.path("custom_id").asString(""));
			line.set("response", row.path("response").isObject() ? row.get("response") : null);
			line.set("error", row.path("error").isObject() ? row.get("error") : null);
			int code = row.path("response").path("status_code").asInt(0);
			return new ResultLine(code >= 200 && code < 300 && !row.path("error").isObject(), line);
		});
	}

	private static @Nullable String text(JsonNode node, String field) {
		JsonNode value = node.path(field);
		return (value.isString() && !value.stringValue().isEmpty()) ? value.stringValue() : null;
	}

}
