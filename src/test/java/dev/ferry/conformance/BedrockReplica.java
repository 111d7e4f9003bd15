package dev.ferry.conformance;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import mockwebserver3.MockResponse;
import mockwebserver3.RecordedRequest;
import software.amazon.awssdk.core.async.AsyncRequestBody;
import software.amazon.awssdk.core.async.AsyncResponseTransformer;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import dev.ferry.support.S3Server;

/**
 * Bedrock's control plane for model invocation jobs (botocore's
 * {@code bedrock/2023-04-20/service-2.json}: rest-json, SigV4 with the signing name
 * {@code bedrock}), with the job's input and output in a real S3 implementation (s3proxy,
 * in this JVM). Jobs read {@code {recordId, modelInput}} lines from the input object
 * (Claude bodies with {@code anthropic_version: bedrock-2023-05-31} and no model), answer
 * to a repeated client request token with the same job, and write
 * {@code {outputUri}{jobId}/{input name}.out} ({@code modelOutput} or {@code error}
 * beside the echoed input) and {@code manifest.json.out} as they run.
 *
 * <p>
 * Where it may differ from the service: it checks the SigV4 header's credential scope,
 * not the signature; it validates Claude bodies, which Bedrock does not (a job can end
 * {@code Completed} with every record errored); and it writes one output object.
 */
final class BedrockReplica extends JobReplica {

	static final String BUCKET = "bedrock-data";

	private final S3Server s3 = S3Server.start(BUCKET);

	private final Map<String, String> byToken = new ConcurrentHashMap<>();

	private final Map<String, JsonNode> created = new ConcurrentHashMap<>();

	/**
	 * Jobs not read since their create, which answers with an ARN alone: the read that
	 * follows shows the job as created, as other providers' creates do, and the next ones
	 * move it on.
	 */
	private final Set<String> unread = ConcurrentHashMap.newKeySet();

	private final java.util.concurrent.atomic.AtomicInteger lostCreateAnswers = new java.util.concurrent.atomic.AtomicInteger();

	private final List<String> runtimeCalls = java.util.Collections.synchronizedList(new ArrayList<>());

	/** How many objects a job's output is split into. */
	private volatile int outputParts = 1;

	/** Whether jobs write no manifest. */
	private volatile boolean withoutManifest;

	/** Whether jobs leave their record counts to the manifest, as some answers do. */
	private volatile boolean countsInManifestOnly;

	BedrockReplica() {
		super("unused-key");
	}

	void countsInManifestOnly(boolean manifestOnly) {
		this.countsInManifestOnly = manifestOnly;
	}

	/**
	 * Splits each job's output into objects, the lines dealt out in turn, and writes, or
	 * leaves out, the manifest.
	 */
	void output(int parts, boolean manifest) {
		this.outputParts = parts;
		this.withoutManifest = !manifest;
	}

	S3Server s3() {
		return this.s3;
	}

	@Override
	Map<String, String> settings() {
		return Map.ofEntries(Map.entry("type", "bedrock"), Map.entry("region", "us-east-1"),
				Map.entry("role-arn", "arn:aws:iam::123456789012:role/ferry-batch"),
				Map.entry("input-s3-uri", "s3://" + BUCKET + "/input/"),
				Map.entry("output-s3-uri", "s3://" + BUCKET + "/output/"),
				Map.entry("s3-endpoint", this.s3.endpoint().toString()), Map.entry("s3-path-style-access", "true"),
				Map.entry("access-key-id", this.s3.accessKey()), Map.entry("secret-access-key", this.s3.secretKey()),
				Map.entry("min-records", "1"), Map.entry("runtime-endpoint", baseUrl()));
	}

	@Override
	List<String> createPaths() {
		return List.of("/model-invocation-job", "/model-invocation-job/{id}");
	}

	@Override
	String errorBody(String message) {
		return object().put("message", message).toString();
	}

	@Override
	protected void checkKey(RecordedRequest request) {
		String authorization = request.getHeaders().get("Authorization");
		if (authorization == null
				|| !authorization.startsWith("AWS4-HMAC-SHA256 Credential=" + this.s3.accessKey() + "/")
				|| !authorization.contains("/us-east-1/bedrock/aws4_request")) {
			throw refuse(403, "The security token included in the request is invalid: " + authorization);
		}
	}

	@Override
	protected MockResponse answer(RecordedRequest request) {
		checkKey(request);
		String path = request.getUrl().encodedPath();
		String method = request.getMethod();
		if (path.equals("/model-invocation-job") && method.equals("POST")) {
			return create(request);
		}
		if (path.startsWith("/model/") && method.equals("POST")) {
			return runtime(request, path);
		}
		if (!path.startsWith("/model-invocation-job/")) {
			throw refuse(404, "no such path: " + path);
		}
		String rest = URLDecoder.decode(path.substring("/model-invocation-job/".length()), StandardCharsets.UTF_8);
		boolean stop = rest.endsWith("/stop");
		String identifier = stop ? rest.substring(0, rest.length() - "/stop".length()) : rest;
		String id = identifier.substring(Math.max(0, identifier.length() - 12));
		Job job = this.jobs.get(id);
		if (job == null) {
			return json(404, errorBody("Could not find job " + identifier));
		}
		if (stop && method.equals("POST")) {
			if (!job.ended()) {
				job.cancelRequested = true;
			}
			return json(200, object());
		}
		if (method.equals("GET")) {
			if (!this.unread.remove(id)) {
				advance(job);
			}
			return json(200, resource(job));
		}
		throw refuse(405, "no such operation: " + method + " " + path);
	}

	private MockResponse create(RecordedRequest request) {
		JsonNode body = body(request);
		String token = body.path("clientRequestToken").asString("");
		String input = body.at("/inputDataConfig/s3InputDataConfig/s3Uri").asString("");
		String output = body.at("/outputDataConfig/s3OutputDataConfig/s3Uri").asString("");
		if (!body.path("jobName").asString("").matches("[a-zA-Z0-9]{1,63}(-*[a-zA-Z0-9+\\-.]){0,63}")
				|| !body.path("roleArn").asString("").startsWith("arn:aws:iam::") || !input.startsWith("s3://" + BUCKET)
				|| !output.startsWith("s3://" + BUCKET) || token.isEmpty()
				|| !"JSONL".equals(body.at("/inputDataConfig/s3InputDataConfig/s3InputFormat").asString())) {
			throw refuse(400, "a job needs a valid jobName, a roleArn, JSONL input and an output in S3 and a client "
					+ "request token: " + body);
		}
		String existing = this.byToken.get(token);
		if (existing != null) {
			return lostOr(json(200, object().put("jobArn", arn(existing))));
		}
		boolean converse = "Converse".equals(body.path("modelInvocationType").asString("InvokeModel"));
		String modelId = body.path("modelId").asString("");
		boolean titan = modelId.contains("amazon.titan-embed-text");
		boolean cohere = modelId.contains("cohere.embed");
		if (converse == (modelId.contains("anthropic.claude") || titan || cohere)) {
			throw refuse(400, "the replica runs Claude, Titan and Cohere Embed as InvokeModel jobs and other models "
					+ "as Converse jobs: " + body);
		}
		List<Request> requests = new ArrayList<>();
		Set<String> ids = new HashSet<>();
		for (String text : read(input.substring(("s3://" + BUCKET + "/").length())).split("\n")) {
			if (text.isBlank()) {
				continue;
			}
			JsonNode line = this.mapper.readTree(text);
			JsonNode model = line.path("modelInput");
			if (!new HashSet<>(line.propertyNames()).equals(Set.of("recordId", "modelInput"))
					|| !line.path("recordId").asString("").matches("[A-Za-z0-9]+")
					|| !ids.add(line.path("recordId").asString()) || model.has("model")
					|| !(converse ? converse(model) : titan ? model.path("inputText").isString()
							: cohere ? cohereEmbed(model) : claude(model))) {
				throw refuse(400, "a record is {recordId (alphanumeric, once), modelInput (a Claude body with "
						+ "anthropic_version bedrock-2023-05-31 and max_tokens, a Titan or Cohere Embed body, or a "
						+ "Converse request in a Converse job; no model)}: " + text);
			}
			requests.add(new Request(line.path("recordId").asString(),
					titan ? object().put("input", model.path("inputText").asString())
							: cohere ? object().set("input", model.path("texts")) : model));
		}
		String id = String.format("%012d", Long.parseLong(nextId()));
		Job job = new Job(id, (titan || cohere) ? "/v1/embeddings" : "/v1/chat/completions", modelId, requests, now(),
				null);
		this.jobs.put(id, job);
		this.byToken.put(token, id);
		this.created.put(id, body);
		this.unread.add(id);
		return lostOr(json(200, object().put("jobArn", arn(id))));
	}

	/**
	 * The create's answer, or, while answers are to be lost, a gateway timeout although
	 * the job was made.
	 */
	private MockResponse lostOr(MockResponse answer) {
		if (this.lostCreateAnswers.getAndUpdate((lost) -> Math.max(0, lost - 1)) > 0) {
			return json(504, errorBody("upstream request timeout"));
		}
		return answer;
	}

	/**
	 * Makes the next creates' jobs (or find them by token) but answer with a gateway
	 * timeout, as when an answer is lost on its way back.
	 */
	void loseCreateAnswers(int creates) {
		this.lostCreateAnswers.set(creates);
	}

	/** The id of the job made last. */
	String lastJobId() {
		return this.created.keySet().stream().max(String::compareTo).orElseThrow();
	}

	/** The jobs made so far. */
	int jobCount() {
		return this.created.size();
	}

	/**
	 * The runtime's {@code InvokeModel} (a Claude body) and {@code Converse}: a request
	 * whose last text holds {@code FAIL} is refused as Bedrock refuses, with its error
	 * type in {@code x-amzn-ErrorType}; any other is answered with an echo.
	 */
	private MockResponse runtime(RecordedRequest request, String path) {
		String model = URLDecoder.decode(path.substring("/model/".length(), path.lastIndexOf('/')),
				StandardCharsets.UTF_8);
		boolean converse = path.endsWith("/converse");
		JsonNode body = body(request);
		if (!path.endsWith("/invoke") && !converse || (converse ? !converse(body) : !claude(body))
				|| body.has("model")) {
			throw refuse(400, "the runtime takes a Claude body at /model/{id}/invoke and a Converse request at "
					+ "/model/{id}/converse, without a model: " + path + " " + body);
		}
		this.runtimeCalls.add(model + (converse ? " converse" : " invoke"));
		String text = Echo.text(body);
		if (text.contains("FAIL")) {
			return new MockResponse.Builder().code(400)
				.addHeader("Content-Type", "application/json")
				.addHeader("x-amzn-ErrorType",
						"ValidationException:http://internal.amazon.com/coral/com.amazon.bedrock/")
				.body(object().put("message", "the replica refused it").toString())
				.build();
		}
		ObjectNode answer = object();
		if (converse) {
			answer.putObject("output")
				.putObject("message")
				.put("role", "assistant")
				.putArray("content")
				.addObject()
				.put("text", "echo: " + text);
			answer.put("stopReason", "end_turn");
			answer.putObject("usage").put("inputTokens", 3).put("outputTokens", 2).put("totalTokens", 5);
		}
		else {
			answer.put("id", "msg_bdrk_rt" + this.runtimeCalls.size())
				.put("type", "message")
				.put("role", "assistant")
				.put("model", model);
			answer.putArray("content").addObject().put("type", "text").put("text", "echo: " + text);
			answer.put("stop_reason", "end_turn").putNull("stop_sequence");
			answer.putObject("usage").put("input_tokens", 3).put("output_tokens", 2);
		}
		return json(200, answer);
	}

	void clearRuntimeCalls() {
		this.runtimeCalls.clear();
		this.lostCreateAnswers.set(0);
	}

	/** The runtime calls answered, as {@code <model> invoke|converse}. */
	List<String> runtimeCalls() {
		return List.copyOf(this.runtimeCalls);
	}

	private static boolean claude(JsonNode body) {
		return "bedrock-2023-05-31".equals(body.path("anthropic_version").asString())
				&& body.path("max_tokens").isNumber();
	}

	/** Cohere Embed's body on Bedrock: texts and their input type. */
	private static boolean cohereEmbed(JsonNode body) {
		return body.path("texts").isArray() && body.path("input_type").isString();
	}

	/** A Converse request: messages of content blocks, no Anthropic version. */
	private static boolean converse(JsonNode body) {
		return body.path("messages").isArray() && !body.has("anthropic_version")
				&& body.path("messages").get(0).path("content").isArray();
	}

	private static String arn(String id) {
		return "arn:aws:bedrock:us-east-1:123456789012:model-invocation-job/" + id;
	}

	private String status(Job job) {
		if (job.expired) {
			return "Expired";
		}
		if (job.cancelled) {
			return "Stopped";
		}
		if (job.cancelRequested) {
			return "Stopping";
		}
		if (job.ended()) {
			return "Completed";
		}
		return (job.startedAt == null) ? "Scheduled" : "InProgress";
	}

	private ObjectNode resource(Job job) {
		JsonNode asked = this.created.get(job.id);
		ObjectNode resource = object().put("jobArn", arn(job.id))
			.put("jobName", asked.path("jobName").asString())
			.put("modelId", job.model)
			.put("roleArn", asked.path("roleArn").asString())
			.put("modelInvocationType", asked.path("modelInvocationType").asString("InvokeModel"))
			.put("status", status(job))
			.put("submitTime", time(job.createdAt))
			.put("lastModifiedTime", time((job.endedAt != null) ? job.endedAt : job.createdAt))
			.put("jobExpirationTime", time(job.createdAt + 7 * 24 * 3600));
		resource.set("inputDataConfig", asked.path("inputDataConfig"));
		resource.set("outputDataConfig", asked.path("outputDataConfig"));
		if (!this.countsInManifestOnly) {
			resource.put("totalRecordCount", job.requests.size())
				.put("processedRecordCount", job.results.size())
				.put("successRecordCount", job.succeeded())
				.put("errorRecordCount", job.failed());
		}
		if (job.ended()) {
			resource.put("endTime", time(job.endedAt));
		}
		if (job.startedAt != null) {
			writeOutput(job, asked.at("/outputDataConfig/s3OutputDataConfig/s3Uri").asString());
		}
		return resource;
	}

	private void writeOutput(Job job, String outputUri) {
		String folder = outputUri.substring(("s3://" + BUCKET + "/").length());
		folder = (folder.isEmpty() || folder.endsWith("/")) ? folder : folder + "/";
		int parts = this.outputParts;
		StringBuilder[] lines = new StringBuilder[parts];
		for (int part = 0; part < parts; part++) {
			lines[part] = new StringBuilder();
		}
		for (int i = 0; i < job.results.size(); i++) {
			Result result = job.results.get(i);
			ObjectNode line = object().put("recordId", result.customId());
			line.set("modelInput", job.requests.get(i).body());
			boolean converse = this.created.get(job.id).path("modelInvocationType").asString("").equals("Converse");
			if (result.ok() && job.model.contains("cohere.embed")) {
				ObjectNode output = line.putObject("modelOutput").put("id", "emb-" + result.customId());
				tools.jackson.databind.node.ArrayNode vectors = output.putArray("embeddings");
				for (int text = 0; text < job.requests.get(i).body().path("input").size(); text++) {
					vectors.addArray().add(0.25 + text * 0.5).add(0.5 + text * 0.5);
				}
				output.put("response_type", "embeddings_floats");
				output.set("texts", job.requests.get(i).body().path("input"));
			}
			else if (result.ok() && job.endpoint.equals("/v1/embeddings")) {
				line.putObject("modelOutput").put("inputTextTokenCount", 3).putArray("embedding").add(0.25).add(0.5);
			}
			else if (result.ok() && converse) {
				ObjectNode output = line.putObject("modelOutput");
				output.putObject("output")
					.putObject("message")
					.put("role", "assistant")
					.putArray("content")
					.addObject()
					.put("text", result.body().at("/choices/0/message/content").asString(""));
				output.put("stopReason", "end_turn");
				output.putObject("usage").put("inputTokens", 3).put("outputTokens", 2).put("totalTokens", 5);
			}
			else if (result.ok()) {
				ObjectNode message = line.putObject("modelOutput")
					.put("id", "msg_bdrk_" + result.customId())
					.put("type", "message")
					.put("role", "assistant")
					.put("model", job.model);
				message.putArray("content")
					.addObject()
					.put("type", "text")
					.put("text", result.body().at("/choices/0/message/content").asString(""));
				message.put("stop_reason", "end_turn").putNull("stop_sequence");
				message.putObject("usage").put("input_tokens", 3).put("output_tokens", 2);
			}
			else {
				line.putObject("error").put("errorCode", 400).put("errorMessage", "the replica refused it");
			}
			lines[i % parts].append(line).append('\n');
		}
		String input = this.created.get(job.id).at("/inputDataConfig/s3InputDataConfig/s3Uri").asString();
		String name = input.substring(input.lastIndexOf('/') + 1);
		for (int part = 0; part < parts; part++) {
			write(folder + job.id + "/" + ((part == 0) ? name : name.replace(".jsonl", "-part" + part + ".jsonl"))
					+ ".out", lines[part].toString());
		}
		if (this.withoutManifest) {
			return;
		}
		write(folder + job.id + "/manifest.json.out",
				object().put("totalRecordCount", job.requests.size())
					.put("processedRecordCount", job.results.size())
					.put("successRecordCount", job.succeeded())
					.put("errorRecordCount", job.failed())
					.toString());
	}

	private String read(String key) {
		return this.s3.client()
			.getObject((get) -> get.bucket(BUCKET).key(key), AsyncResponseTransformer.toBytes())
			.join()
			.asUtf8String();
	}

	private void write(String key, String content) {
		this.s3.client().putObject((put) -> put.bucket(BUCKET).key(key), AsyncRequestBody.fromString(content)).join();
	}

	private static String time(long seconds) {
		return Instant.ofEpochSecond(seconds).toString();
	}

	@Override
	protected Refusal refuse(int status, String message) {
		return new Refusal(message, json(status, errorBody(message)));
	}

}
