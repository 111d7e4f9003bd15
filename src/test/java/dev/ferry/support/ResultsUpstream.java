package dev.ferry.support;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.RecordedRequest;
import mockwebserver3.SocketEffect;

/**
 * An OpenAI upstream holding finished batches with generated results files, for paging
 * tests. Batches are registered by id; each file counts how often its content was asked
 * for, and all files together count the bytes they sent.
 */
public final class ResultsUpstream extends Dispatcher {

	private final Map<String, String> batches = new ConcurrentHashMap<>();

	private final Map<String, Function<Integer, MockResponse>> files = new ConcurrentHashMap<>();

	private final Map<String, AtomicInteger> downloads = new ConcurrentHashMap<>();

	private final AtomicLong sent = new AtomicLong();

	private final Map<String, String> authorizations = new ConcurrentHashMap<>();

	/**
	 * A completed batch with an output file and, if {@code errors > 0}, an error file.
	 * @param id the batch id
	 * @param succeeded output lines, with custom_ids {@code ok-1…}
	 * @param errors error lines, with custom_ids {@code bad-1…}
	 * @param lineBytes about how long each output line is
	 * @return this upstream
	 */
	public ResultsUpstream completed(String id, int succeeded, int errors, int lineBytes) {
		GeneratedResults output = GeneratedResults.output("ok", succeeded, lineBytes, this.sent);
		GeneratedResults failed = GeneratedResults.errors("bad", errors, this.sent);
		return batch(id, "completed", (errors > 0) ? "file-" + id + "-err" : null, (attempt) -> output.response(),
				(attempt) -> failed.response());
	}

	/**
	 * A completed batch whose first output download drops the connection halfway through
	 * the body.
	 * @param id the batch id
	 * @param succeeded output lines
	 * @return this upstream
	 */
	public ResultsUpstream dropping(String id, int succeeded) {
		GeneratedResults output = GeneratedResults.output("ok", succeeded, 400, this.sent);
		return batch(id, "completed", null,
				(attempt) -> (attempt == 1)
						? output.response().newBuilder().onResponseBody(new SocketEffect.CloseSocket()).build()
						: output.response(),
				null);
	}

	/**
	 * A completed batch whose output is sent slowly.
	 * @param id the batch id
	 * @param succeeded output lines
	 * @param bytesPerSecond the pace
	 * @return this upstream
	 */
	public ResultsUpstream slow(String id, int succeeded, long bytesPerSecond) {
		GeneratedResults output = GeneratedResults.output("ok", succeeded, 400, this.sent);
		return batch(id, "completed", null,
				(attempt) -> new MockResponse.Builder().code(200)
					.body(output)
					.throttleBody(bytesPerSecond / 10, 100, TimeUnit.MILLISECONDS)
					.build(),
				null);
	}

	/**
	 * A batch in a state without results files.
	 * @param id the batch id
	 * @param status its status
	 * @return this upstream
	 */
	public ResultsUpstream withoutFiles(String id, String status) {
		this.batches.put(id, batchJson(id, status, null, null));
		return this;
	}

	/**
	 * A completed batch whose output file has expired upstream.
	 * @param id the batch id
	 * @return this upstream
	 */
	public ResultsUpstream expiredFiles(String id) {
		return batch(id, "completed", null,
				(attempt) -> new MockResponse.Builder().code(404)
					.addHeader("Content-Type", "application/json")
					.body("{\"error\":{\"message\":\"No such File object: file-" + id
							+ "-out\",\"type\":\"invalid_request_error\",\"param\":\"id\",\"code\":null}}")
					.build(),
				null);
	}

	/**
	 * How often a batch's output file was downloaded.
	 * @param id the batch id
	 * @return the count
	 */
	public int outputDownloads(String id) {
		return this.downloads.getOrDefault("file-" + id + "-out", new AtomicInteger()).get();
	}

	/**
	 * The bytes all results files have sent.
	 * @return the count
	 */
	public long bytesSent() {
		return this.sent.get();
	}

	/**
	 * The length of output line {@code i} of a batch made by {@link #completed}.
	 * @param i the line, from 1
	 * @param lineBytes the line size the batch was made with
	 * @return the bytes, with the newline
	 */
	public static int outputLineLength(int i, int lineBytes) {
		return GeneratedResults.outputLineLength("ok", i, lineBytes);
	}

	/**
	 * The credentials the last download of a batch's output file came with.
	 * @param id the batch id
	 * @return the {@code Authorization} header, if any
	 */
	public String outputAuthorization(String id) {
		return this.authorizations.get("file-" + id + "-out");
	}

	@Override
	public MockResponse dispatch(RecordedRequest request) {
		String path = request.getUrl().encodedPath();
		if (path.startsWith("/v1/batches/") && this.batches.containsKey(path.substring(12))) {
			return json(200, this.batches.get(path.substring(12)));
		}
		if (path.startsWith("/v1/files/") && path.endsWith("/content")) {
			String file = path.substring(10, path.length() - 8);
			Function<Integer, MockResponse> content = this.files.get(file);
			if (content != null) {
				String authorization = request.getHeaders().get("Authorization");
				if (authorization != null) {
					this.authorizations.put(file, authorization);
				}
				return content
					.apply(this.downloads.computeIfAbsent(file, (key) -> new AtomicInteger()).incrementAndGet());
			}
		}
		return json(404, "{\"error\":{\"message\":\"no such route in the results upstream: " + path
				+ "\",\"type\":\"invalid_request_error\",\"param\":null,\"code\":null}}");
	}

	private ResultsUpstream batch(String id, String status, String errorFile, Function<Integer, MockResponse> output,
			Function<Integer, MockResponse> errors) {
		this.batches.put(id, batchJson(id, status, "file-" + id + "-out", errorFile));
		this.files.put("file-" + id + "-out", output);
		if (errorFile != null) {
			this.files.put(errorFile, errors);
		}
		return this;
	}

	private static String batchJson(String id, String status, String outputFile, String errorFile) {
		return "{\"id\":\"" + id + "\",\"object\":\"batch\",\"endpoint\":\"/v1/chat/completions\","
				+ "\"input_file_id\":\"file-in\",\"completion_window\":\"24h\",\"status\":\"" + status + "\","
				+ "\"output_file_id\":" + quoted(outputFile) + ",\"error_file_id\":" + quoted(errorFile)
				+ ",\"created_at\":1763800000,\"request_counts\":{\"total\":0,\"completed\":0,\"failed\":0}}";
	}

	private static String quoted(String value) {
		return (value != null) ? "\"" + value + "\"" : "null";
	}

	private static MockResponse json(int status, String body) {
		return new MockResponse.Builder().code(status).addHeader("Content-Type", "application/json").body(body).build();
	}

}
