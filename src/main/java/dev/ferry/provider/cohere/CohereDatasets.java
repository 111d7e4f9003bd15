package dev.ferry.provider.cohere;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import dev.ferry.batch.ApiError;
import dev.ferry.provider.jobs.JobClient;

import org.springframework.core.io.buffer.DataBuffer;

/**
 * Cohere's datasets (docs.cohere.com/docs/datasets): a JSONL upload of a given type,
 * which Cohere validates before a job may read it, and output datasets read part by part
 * as Avro rows through the URLs Cohere hands out.
 */
final class CohereDatasets {

	/** Validation is polled with a growing wait, up to this long in all. */
	static final Duration VALIDATION_WAIT = Duration.ofMinutes(2);

	private static final Duration FIRST_POLL = Duration.ofMillis(100);

	private static final Duration LONGEST_POLL = Duration.ofSeconds(5);

	private final JobClient client;

	private final JsonMapper mapper;

	private final Scheduler blocking;

	CohereDatasets(JobClient client, JsonMapper mapper, Scheduler blocking) {
		this.client = client;
		this.mapper = mapper;
		this.blocking = blocking;
	}

	/**
	 * Uploads rows as a dataset, keeping their {@code custom_id} through to the output,
	 * and waits until Cohere has validated it.
	 * @param name the dataset's name
	 * @param type the dataset type, such as {@code batch-chat-v2-input}
	 * @param rows the JSONL rows
	 * @return the dataset id, once validated; a 400 with Cohere's reason if it failed
	 * validation
	 */
	Mono<String> upload(String name, String type, Flux<DataBuffer> rows) {
		return this.client.upload((uri) -> uri.path("/v1/datasets")
			.queryParam("name", name)
			.queryParam("type", type)
			.queryParam("keep_fields", "custom_id")
			.queryParam("skip_malformed_input", false)
			.build(), (form) -> {
			}, "data", name + ".jsonl", rows)
			.map((created) -> created.path("id").asString(""))
			.flatMap((id) -> validated(id).thenReturn(id));
	}

	private Mono<JsonNode> validated(String id) {
		long polls = pollsWithin(VALIDATION_WAIT);
		return get(id).filter((dataset) -> isValidated(id, dataset))
			.repeatWhenEmpty((int) polls, (attempts) -> attempts.concatMap((n) -> Mono.delay(pollDelay(n))))
			.onErrorMap(IllegalStateException.class,
					(ex) -> new ApiError(
							504, "api_error", "dataset_not_validated", "Cohere had not validated dataset " + id
									+ " after " + VALIDATION_WAIT.toSeconds() + " s; try the batch again later",
							null, null));
	}

	private static boolean isValidated(String id, JsonNode dataset) {
		String status = dataset.path("validation_status").asString("");
		if (status.equals("validated")) {
			return true;
		}
		if (status.equals("failed") || status.equals("skipped")) {
			throw ApiError.invalid("input_file_id", "Cohere refused the batch's dataset " + id + ": "
					+ dataset.path("validation_error").asString(status));
		}
		return false;
	}

	static Duration pollDelay(long attempt) {
		long millis = FIRST_POLL.toMillis() << Math.min(attempt, 10);
		return Duration.ofMillis(Math.min(millis, LONGEST_POLL.toMillis()));
	}

	private static long pollsWithin(Duration total) {
		long polls = 0;
		long waited = 0;
		while (waited < total.toMillis()) {
			waited += pollDelay(polls++).toMillis();
		}
		return polls;
	}

	private Mono<JsonNode> get(String id) {
		return this.client.get((uri) -> uri.path("/v1/datasets/{id}").build(id)).map((body) -> body.path("dataset"));
	}

	/**
	 * A dataset's rows, part after part in their order, each read as it arrives.
	 * @param id the dataset
	 * @return the rows
	 */
	Flux<JsonNode> rows(String id) {
		return get(id).flatMapMany((dataset) -> {
			List<JsonNode> parts = new ArrayList<>();
			dataset.path("dataset_parts").forEach(parts::add);
			parts.sort(Comparator.comparingLong((part) -> part.path("index").asLong(0)));
			return Flux.fromIterable(parts);
		})
			.concatMap((part) -> this.client.downloadSigned(URI.create(part.path("url").asString("")))
				.flatMapMany((body) -> AvroRows.read(body, this.mapper, this.blocking)));
	}

}
