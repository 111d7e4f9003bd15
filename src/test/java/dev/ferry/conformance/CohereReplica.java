package dev.ferry.conformance;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
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
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.file.DataFileWriter;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Cohere's dataset-based batch APIs (docs.cohere.com reference for datasets, batches and
 * embed jobs): datasets uploaded as a {@code data} part with their type in the query,
 * validated on the first look ({@code processing}, then {@code validated}); Batches (v2)
 * with {@code BATCH_STATUS_*}, {@code :cancel}, lists paged with {@code page_token};
 * Embed Jobs (v1) with {@code processing}, {@code complete}, {@code cancelling},
 * {@code cancelled}; output datasets as Avro parts of at most {@link #ROWS_PER_PART} rows
 * behind URLs fetched without the key. Input rows are checked in Cohere's shapes: a chat
 * line is {@code {custom_id, body}} with v2 messages whose content is a list of parts and
 * nothing of OpenAI's that Cohere lacks; an embed row is {@code {custom_id, text}}.
 */
final class CohereReplica extends JobReplica {

	static final int ROWS_PER_PART = 2;

	private static final Set<String> CHAT_FIELDS = Set.of("messages", "max_tokens", "temperature", "p", "k", "seed",
			"stop_sequences", "frequency_penalty", "presence_penalty", "tools", "tool_choice", "response_format",
			"logprobs");

	private static final Schema CHAT_ROW = SchemaBuilder.record("BatchOutput")
		.fields()
		.requiredString("custom_id")
		.optionalString("body")
		.optionalString("error")
		.endRecord();

	private static final Schema EMBED_ROW = SchemaBuilder.record("EmbedOutput")
		.fields()
		.requiredString("custom_id")
		.requiredString("text")
		.name("embeddings")
		.type(SchemaBuilder.record("Embeddings")
			.fields()
			.name("float")
			.type()
			.array()
			.items()
			.doubleType()
			.noDefault()
			.endRecord())
		.noDefault()
		.endRecord();

	private final Map<String, Dataset> datasets = new ConcurrentHashMap<>();

	private final Map<String, byte[]> parts = new ConcurrentHashMap<>();

	CohereReplica(String key) {
		super(key);
	}

	@Override
	List<String> createPaths() {
		return List.of("/v1/datasets", "/v1/datasets/{id}", "/v1/datasets/{id}", "/v2/batches");
	}

	@Override
	String errorBody(String message) {
		return object().put("message", message).toString();
	}

	/** No timeout status in either API. */
	@Override
	boolean expires() {
		return false;
	}

	@Override
	protected MockResponse answer(RecordedRequest request) {
		HttpUrl url = request.getUrl();
		String path = url.encodedPath();
		if (path.startsWith("/parts/")) {
			if (request.getHeaders().get("Authorization") != null) {
				throw refuse(400, "a dataset part URL is fetched without the API key");
			}
			byte[] part = this.parts.get(path);
			return (part != null) ? new MockResponse.Builder().code(200).body(new okio.Buffer().write(part)).build()
					: json(404, errorBody("no such part"));
		}
		checkKey(request);
		String method = request.getMethod();
		if (path.equals("/v1/datasets") && method.equals("POST")) {
			return upload(request, url);
		}
		if (path.startsWith("/v1/datasets/") && method.equals("GET")) {
			return dataset(path.substring("/v1/datasets/".length()));
		}
		if (path.equals("/v2/batches")) {
			return method.equals("POST") ? createBatch(request) : listBatches(url);
		}
		if (path.startsWith("/v2/batches/")) {
			String rest = path.substring("/v2/batches/".length());
			boolean cancel = rest.endsWith(":cancel");
			Job job = this.jobs.get(cancel ? rest.substring(0, rest.length() - ":cancel".length()) : rest);
			if (job == null || job.endpoint.equals("/v1/embeddings")) {
				return json(404, errorBody("batch not found"));
			}
			if (!cancel) {
				advance(job);
			}
			return cancel ? cancel(job) : json(200, object().set("batch", batchJson(job)));
		}
		if (path.equals("/v1/embed-jobs")) {
			return method.equals("POST") ? createEmbedJob(request) : listEmbedJobs();
		}
		if (path.startsWith("/v1/embed-jobs/")) {
			String rest = path.substring("/v1/embed-jobs/".length());
			boolean cancel = rest.endsWith("/cancel");
			Job job = this.jobs.get(cancel ? rest.substring(0, rest.length() - "/cancel".length()) : rest);
			if (job == null || !job.endpoint.equals("/v1/embeddings")) {
				return json(404, errorBody("embed job not found"));
			}
			if (!cancel) {
				advance(job);
			}
			return cancel ? cancel(job) : json(200, embedJson(job));
		}
		throw refuse(405, "no such operation: " + method + " " + path);
	}

	private MockResponse upload(RecordedRequest request, HttpUrl url) {
		String type = url.queryParameter("type");
		if (!"custom_id".equals(url.queryParameter("keep_fields")) || url.queryParameter("name") == null
				|| !Set.of("batch-chat-v2-input", "embed-input").contains(type)) {
			throw refuse(400, "a named dataset of a batch input type, keeping custom_id: " + url.query());
		}
		Multipart.Part data = Multipart.parse(request.getHeaders().get("Content-Type"), bytes(request))
			.stream()
			.filter((part) -> part.name().equals("data"))
			.findFirst()
			.orElseThrow(() -> refuse(400, "no data part"));
		List<Request> rows = new ArrayList<>();
		Set<String> ids = new HashSet<>();
		for (String text : new String(data.content(), StandardCharsets.UTF_8).split("\n")) {
			if (text.isBlank()) {
				continue;
			}
			JsonNode row = this.mapper.readTree(text);
			if (!ids.add(row.path("custom_id").asString(""))) {
				throw refuse(400, "custom_id missing or repeated: " + text);
			}
			rows.add(new Request(row.path("custom_id").asString(),
					type.equals("embed-input") ? embedRow(row) : chatRow(row)));
		}
		String id = "ds-" + nextId();
		this.datasets.put(id, new Dataset(type, rows));
		return json(200, object().put("id", id));
	}

	private JsonNode chatRow(JsonNode row) {
		JsonNode body = row.path("body");
		if (!new HashSet<>(row.propertyNames()).equals(Set.of("custom_id", "body")) || !body.isObject()) {
			throw refuse(400, "a chat row is {custom_id, body}: " + row);
		}
		for (String field : body.propertyNames()) {
			if (!CHAT_FIELDS.contains(field)) {
				throw refuse(400, "Cohere's chat takes no '" + field + "'");
			}
		}
		for (JsonNode message : body.path("messages")) {
			if (!message.path("content").isArray()) {
				throw refuse(400, "message content is a list of parts in a batch: " + message);
			}
		}
		return body;
	}

	private JsonNode embedRow(JsonNode row) {
		if (!new HashSet<>(row.propertyNames()).equals(Set.of("custom_id", "text")) || !row.path("text").isString()) {
			throw refuse(400, "an embed row is {custom_id, text}: " + row);
		}
		return object().put("input", row.path("text").asString());
	}

	private MockResponse dataset(String id) {
		Dataset dataset = this.datasets.get(id);
		if (dataset == null) {
			return json(404, errorBody("dataset not found"));
		}
		ObjectNode node = object().put("id", id).put("dataset_type", dataset.type);
		node.put("validation_status", dataset.looked++ == 0 ? "processing" : "validated");
		ArrayNode parts = node.putArray("dataset_parts");
		for (int i = 0; i < dataset.parts.size(); i++) {
			parts.addObject().put("index", i).put("url", server().url(dataset.parts.get(i)).toString());
		}
		return json(200, object().set("dataset", node));
	}

	private Job job(JsonNode body, String datasetField, String type, String endpoint, String id) {
		Dataset dataset = this.datasets.get(body.path(datasetField).asString(""));
		if (dataset == null || !dataset.type.equals(type) || dataset.looked < 2 || !body.path("model").isString()
				|| !body.path("name").isString()) {
			throw refuse(400, "a named job on a validated " + type + " dataset with a model: " + body);
		}
		Job job = new Job(id, endpoint, body.path("model").asString(), dataset.rows, now(), null);
		this.jobs.put(id, job);
		return job;
	}

	private MockResponse createBatch(RecordedRequest request) {
		JsonNode body = body(request);
		if (!new HashSet<>(body.propertyNames()).equals(Set.of("name", "input_dataset_id", "model"))) {
			throw refuse(400, "a batch is {name, input_dataset_id, model}: " + body);
		}
		Job job = job(body, "input_dataset_id", "batch-chat-v2-input", "/v1/chat/completions", "cb-" + nextId());
		return json(200, object().set("batch", batchJson(job)));
	}

	private MockResponse createEmbedJob(RecordedRequest request) {
		JsonNode body = body(request);
		if (!body.path("input_type").isString() || !"float".equals(body.path("embedding_types").path(0).asString(""))) {
			throw refuse(400, "an embed job names its input_type and asks for float embeddings: " + body);
		}
		Job job = job(body, "dataset_id", "embed-input", "/v1/embeddings", "ej-" + nextId());
		return json(200, object().put("job_id", job.id));
	}

	private MockResponse cancel(Job job) {
		if (!job.ended()) {
			job.cancelRequested = true;
		}
		return json(200, object());
	}

	private MockResponse listBatches(HttpUrl url) {
		List<Job> newestFirst = new ArrayList<>(
				this.jobs.values().stream().filter((job) -> !job.endpoint.equals("/v1/embeddings")).toList());
		Collections.reverse(newestFirst);
		int size = Integer.parseInt(url.queryParameter("page_size"));
		int start = (url.queryParameter("page_token") != null) ? Integer.parseInt(url.queryParameter("page_token")) : 0;
		ObjectNode page = object();
		ArrayNode batches = page.putArray("batches");
		newestFirst.stream().skip(start).limit(size).forEach((job) -> batches.add(batchJson(job)));
		if (start + size < newestFirst.size()) {
			page.put("next_page_token", Integer.toString(start + size));
		}
		return json(200, page);
	}

	private MockResponse listEmbedJobs() {
		ObjectNode page = object();
		ArrayNode items = page.putArray("embed_jobs");
		this.jobs.values()
			.stream()
			.filter((job) -> job.endpoint.equals("/v1/embeddings"))
			.forEach((job) -> items.add(embedJson(job)));
		return json(200, page);
	}

	private ObjectNode batchJson(Job job) {
		String status = job.cancelled ? "BATCH_STATUS_CANCELED"
				: job.cancelRequested ? "BATCH_STATUS_CANCELING" : job.ended() ? "BATCH_STATUS_COMPLETED"
						: (job.startedAt != null) ? "BATCH_STATUS_IN_PROGRESS" : "BATCH_STATUS_QUEUED";
		ObjectNode node = object().put("id", job.id)
			.put("name", "kit")
			.put("status", status)
			.put("created_at", Instant.ofEpochSecond(job.createdAt).toString())
			.put("updated_at", Instant.ofEpochSecond((job.endedAt != null) ? job.endedAt : job.createdAt).toString())
			.put("input_dataset_id", "ds-in")
			.put("model", job.model)
			.put("num_records", job.requests.size())
			.put("num_successful_records", job.succeeded())
			.put("num_failed_records", job.failed())
			.put("input_tokens", Long.toString(3L * job.results.size()))
			.put("output_tokens", Long.toString(2L * job.results.size()));
		if (job.ended() && !job.cancelled) {
			node.put("output_dataset_id", output(job));
		}
		return node;
	}

	private ObjectNode embedJson(Job job) {
		String status = job.cancelled ? "cancelled"
				: job.cancelRequested ? "cancelling" : job.ended() ? "complete" : "processing";
		ObjectNode node = object().put("job_id", job.id)
			.put("name", "kit")
			.put("status", status)
			.put("created_at", Instant.ofEpochSecond(job.createdAt).toString())
			.put("input_dataset_id", "ds-in")
			.put("model", job.model)
			.put("truncate", "END");
		if (job.ended() && !job.cancelled) {
			node.put("output_dataset_id", output(job));
		}
		return node;
	}

	/** Writes a job's output dataset once, as Avro parts. */
	private String output(Job job) {
		String id = "ds-out-" + job.id;
		this.datasets.computeIfAbsent(id, (key) -> {
			boolean embed = job.endpoint.equals("/v1/embeddings");
			List<GenericRecord> rows = new ArrayList<>();
			for (Result result : job.results) {
				Request request = job.requests.stream()
					.filter((candidate) -> candidate.customId().equals(result.customId()))
					.findFirst()
					.orElseThrow();
				rows.add(embed ? embedOutput(result, request) : chatOutput(result, request));
			}
			Dataset dataset = new Dataset(embed ? "embed-output" : "batch-output", List.of());
			dataset.looked = 2;
			for (int part = 0; part * ROWS_PER_PART < rows.size(); part++) {
				String path = "/parts/" + id + "/" + part + ".avro";
				this.parts.put(path, avro(embed ? EMBED_ROW : CHAT_ROW,
						rows.subList(part * ROWS_PER_PART, Math.min(rows.size(), (part + 1) * ROWS_PER_PART))));
				dataset.parts.add(path);
			}
			return dataset;
		});
		return id;
	}

	private GenericRecord chatOutput(Result result, Request request) {
		GenericRecord row = new GenericData.Record(CHAT_ROW);
		row.put("custom_id", result.customId());
		if (result.ok()) {
			ObjectNode response = object().put("id", "co-" + result.customId()).put("finish_reason", "COMPLETE");
			ObjectNode message = response.putObject("message").put("role", "assistant");
			message.putArray("content")
				.addObject()
				.put("type", "text")
				.put("text", "echo: " + Echo.text(request.body()));
			ObjectNode usage = response.putObject("usage");
			usage.putObject("billed_units").put("input_tokens", 3).put("output_tokens", 2);
			usage.putObject("tokens").put("input_tokens", 3).put("output_tokens", 2);
			row.put("body", response.toString());
		}
		else {
			row.put("error", object().put("message", "the replica refused it").toString());
		}
		return row;
	}

	private GenericRecord embedOutput(Result result, Request request) {
		GenericRecord row = new GenericData.Record(EMBED_ROW);
		row.put("custom_id", result.customId());
		row.put("text", request.body().path("input").asString());
		GenericRecord embeddings = new GenericData.Record(EMBED_ROW.getField("embeddings").schema());
		embeddings.put("float", List.of(0.25, 0.5));
		row.put("embeddings", embeddings);
		return row;
	}

	private static byte[] avro(Schema schema, List<GenericRecord> rows) {
		ByteArrayOutputStream bytes = new ByteArrayOutputStream();
		try (DataFileWriter<GenericRecord> writer = new DataFileWriter<>(new GenericDatumWriter<>(schema))) {
			writer.create(schema, bytes);
			for (GenericRecord row : rows) {
				writer.append(row);
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		return bytes.toByteArray();
	}

	@Override
	protected Refusal refuse(int status, String message) {
		return new Refusal(message, json(status, errorBody(message)));
	}

	/** One dataset: its type, its rows, and how often it has been looked at. */
	private static final class Dataset {

		final String type;

		final List<Request> rows;

		final List<String> parts = new ArrayList<>();

		int looked;

		Dataset(String type, List<Request> rows) {
			this.type = type;
			this.rows = rows;
		}

	}

}
