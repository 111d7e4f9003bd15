package dev.ferry.provider.xai;

import java.util.List;

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
 * xAI's batches on the wire (docs.x.ai batch guide; the mapping LiteLLM's xAI adapter
 * uses). A batch has no status, only counters, a cancel time and the reason when xAI
 * itself cancelled it; its results are not a file but a paged endpoint, read page after
 * page as the caller reads, each result re-written as an OpenAI output or error line.
 */
final class XaiApi implements JobApi {

	/** The most results asked for per page; xAI may answer with fewer. */
	static final int RESULTS_PAGE = 1000;

	private static final int LIST_PAGE = 100;

	private final JobClient client;

	private final JsonMapper mapper;

	XaiApi(JobClient client, JsonMapper mapper) {
		this.client = client;
		this.mapper = mapper;
	}

	@Override
	public ProviderDescriptor descriptor() {
		return XaiFamily.DESCRIPTOR;
	}

	@Override
	public Mono<JsonNode> submit(JobSubmission submission) {
		Flux<DataBuffer> lines = submission.requests()
			.get()
			.map((request) -> line(request, submission.endpoint(), submission.model()));
		return this.client
			.upload((uri) -> uri.path("/v1/files").build(), (form) -> form.part("purpose", "batch"), "file",
					submission.name() + ".jsonl", lines)
			.flatMap((file) -> this.client.create((uri) -> uri.path("/v1/batches").build(),
					this.mapper.createObjectNode()
						.put("name", submission.name())
						.put("input_file_id", file.path("id").asString())));
	}

	/** An OpenAI input line with the batch's model set on its body. */
	private DataBuffer line(InputRequest request, String endpoint, String model) {
		ObjectNode body = this.mapper.createObjectNode().put("model", model);
		body.setAll((ObjectNode) request.body());
		ObjectNode line = this.mapper.createObjectNode()
			.put("custom_id", request.customId())
			.put("method", "POST")
			.put("url", endpoint);
		line.set("body", body);
		return JsonLines.line(this.mapper, line);
	}

	@Override
	public Mono<JsonNode> retrieve(String jobId) {
		return this.client.get((uri) -> uri.path("/v1/batches/{id}").build(jobId));
	}

	@Override
	public Flux<JsonNode> list() {
		return listPage(null).expand((page) -> (token(page) != null) ? listPage(token(page)) : Mono.empty())
			.concatMapIterable((page) -> page.path("batches"));
	}

	private Mono<JsonNode> listPage(@Nullable String token) {
		return this.client.get((uri) -> {
			uri.path("/v1/batches").queryParam("limit", LIST_PAGE);
			if (token != null) {
				uri.queryParam("pagination_token", token);
			}
			return uri.build();
		});
	}

	@Override
	public Mono<JsonNode> cancel(String jobId) {
		return this.client.postIdempotent((uri) -> uri.path("/v1/batches/{id}:cancel").build(jobId));
	}

	@Override
	public String id(JsonNode job) {
		return job.path("batch_id").asString("");
	}

	@Override
	public JobState state(JsonNode job) {
		JsonNode counters = job.path("state");
		long total = counters.path("num_requests").asLong(0);
		long pending = counters.path("num_pending").asLong(0);
		long success = counters.path("num_success").asLong(0);
		long error = counters.path("num_error").asLong(0);
		long cancelled = counters.path("num_cancelled").asLong(0);
		Long cancelTime = JobTimes.seconds(job, "cancel_time");
		String byXai = text(job, "cancel_by_xai_message");
		BatchStatus status = status(total, pending, cancelTime != null, byXai != null);
		Long created = JobTimes.seconds(job, "create_time");
		long createdAt = (created != null) ? created : 0;
		BatchTimes times = new BatchTimes(createdAt, (total > 0) ? createdAt : null,
				JobTimes.seconds(job, "expire_time"), null, null, (status == BatchStatus.FAILED) ? cancelTime : null,
				null, (status == BatchStatus.CANCELLED) ? cancelTime : null,
				(status == BatchStatus.CANCELLED) ? cancelTime : null, null);
		RequestCounts counts = new RequestCounts(total, success, error + cancelled, success, 0, cancelled, pending);
		List<BatchError> errors = (byXai != null) ? List.of(new BatchError("cancelled_by_xai", byXai, null, null))
				: List.of();
		return new JobState(status, derivation(status, counters), counts, times, errors, null, null, null, null);
	}

	/**
	 * OpenAI's status from xAI's counters: cancelled by xAI (its input failed validation)
	 * is failed, cancelled by the caller is cancelled, no requests yet is still
	 * validating the input file, requests pending is in progress, and nothing pending is
	 * completed.
	 * @param total {@code num_requests}
	 * @param pending {@code num_pending}
	 * @param cancelled whether {@code cancel_time} is set
	 * @param byXai whether {@code cancel_by_xai_message} is set
	 * @return the status
	 */
	static BatchStatus status(long total, long pending, boolean cancelled, boolean byXai) {
		if (cancelled) {
			return byXai ? BatchStatus.FAILED : BatchStatus.CANCELLED;
		}
		if (total == 0) {
			return BatchStatus.VALIDATING;
		}
		return (pending > 0) ? BatchStatus.IN_PROGRESS : BatchStatus.COMPLETED;
	}

	/** xAI has no status of its own: the counters it was derived from stand for it. */
	private static String derivation(BatchStatus status, JsonNode counters) {
		return status.wireName() + " " + counters;
	}

	/**
	 * Every result, page after page: the next page is asked for only once the one before
	 * has been read.
	 */
	@Override
	public Flux<ResultLine> results(JsonNode job) {
		String id = id(job);
		return resultsPage(id, null)
			.expand((page) -> (token(page) != null) ? resultsPage(id, token(page)) : Mono.empty())
			.concatMapIterable((page) -> page.path("results"))
			.map(this::line);
	}

	private Mono<JsonNode> resultsPage(String id, @Nullable String token) {
		return this.client.get((uri) -> {
			uri.path("/v1/batches/{id}/results").queryParam("limit", RESULTS_PAGE);
			if (token != null) {
				uri.queryParam("pagination_token", token);
			}
			return uri.build(id);
		});
	}

	/**
	 * One result as an OpenAI line. xAI wraps the response body in a one-key object named
	 * after the endpoint ({@code chat_get_completion}, {@code responses}, …); the value
	 * is the OpenAI body.
	 */
	private ResultLine line(JsonNode result) {
		String customId = result.path("batch_request_id").asString("");
		JsonNode outcome = result.path("batch_result");
		JsonNode wrapped = outcome.path("response");
		JsonNode body = (wrapped.isObject() && !wrapped.isEmpty()) ? wrapped.properties().iterator().next().getValue()
				: null;
		ObjectNode line = this.mapper.createObjectNode().put("id", "batch_req_" + customId).put("custom_id", customId);
		if (body != null && body.isObject()) {
			ObjectNode response = line.putObject("response").put("status_code", 200);
			response.set("request_id", body.path("id").isString() ? body.get("id") : null);
			response.set("body", body);
			line.putNull("error");
			return new ResultLine(true, line);
		}
		JsonNode error = outcome.path("error");
		line.putNull("response");
		line.putObject("error")
			.put("code",
					error.path("code").isMissingNode() || error.path("code").isNull() ? "request_failed"
							: error.path("code").asString())
			.put("message", error.path("message").asString("xAI returned no response for this request"));
		return new ResultLine(false, line);
	}

	private static @Nullable String token(JsonNode page) {
		JsonNode token = page.path("pagination_token");
		return (token.isString() && !token.stringValue().isEmpty()) ? token.stringValue() : null;
	}

	private static @Nullable String text(JsonNode node, String field) {
		JsonNode value = node.path(field);
		return (value.isString() && !value.stringValue().isEmpty()) ? value.stringValue() : null;
	}

}
