package dev.ferry.support;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;

import mockwebserver3.MockResponse;
import mockwebserver3.MockResponseBody;
import okio.BufferedSink;

/**
 * An OpenAI results file of any size, generated line by line as MockWebServer sends it,
 * so an upstream can serve gigabytes without holding them. Lines are deterministic:
 * request {@code i} has {@code custom_id} {@code <prefix>-<i>}. Every byte sent is
 * counted.
 */
public final class GeneratedResults implements MockResponseBody {

	private final String prefix;

	private final int count;

	private final String padding;

	private final boolean errors;

	private final long length;

	private final AtomicLong sent;

	private GeneratedResults(String prefix, int count, int lineBytes, boolean errors, AtomicLong sent) {
		this.prefix = prefix;
		this.count = count;
		this.errors = errors;
		this.padding = "x".repeat(Math.max(0, lineBytes - 200));
		this.sent = sent;
		long total = 0;
		for (int i = 1; i <= count; i++) {
			total += bytes(i).length;
		}
		this.length = total;
	}

	/**
	 * Output lines (status 200).
	 * @param prefix the custom_id prefix
	 * @param count how many lines
	 * @param lineBytes about how long each line is, at least 200
	 * @param sent counts every byte sent
	 * @return the body
	 */
	public static GeneratedResults output(String prefix, int count, int lineBytes, AtomicLong sent) {
		return new GeneratedResults(prefix, count, lineBytes, false, sent);
	}

	/**
	 * Error-file lines (status 400 with an error body).
	 * @param prefix the custom_id prefix
	 * @param count how many lines
	 * @param sent counts every byte sent
	 * @return the body
	 */
	public static GeneratedResults errors(String prefix, int count, AtomicLong sent) {
		return new GeneratedResults(prefix, count, 200, true, sent);
	}

	/**
	 * A 200 response carrying this body.
	 * @return the response
	 */
	public MockResponse response() {
		return new MockResponse.Builder().code(200)
			.addHeader("Content-Type", "application/octet-stream")
			.body(this)
			.build();
	}

	@Override
	public long getContentLength() {
		return this.length;
	}

	@Override
	public void writeTo(BufferedSink sink) throws IOException {
		for (int i = 1; i <= this.count; i++) {
			byte[] line = bytes(i);
			sink.write(line);
			this.sent.addAndGet(line.length);
		}
		sink.flush();
	}

	static int outputLineLength(String prefix, int i, int lineBytes) {
		return new GeneratedResults(prefix, 0, lineBytes, false, new AtomicLong()).bytes(i).length;
	}

	private byte[] bytes(int i) {
		String customId = this.prefix + "-" + i;
		String line = this.errors ? "{\"id\":\"batch_req_e" + i + "\",\"custom_id\":\"" + customId
				+ "\",\"response\":{\"status_code\":400,\"request_id\":\"req_e" + i
				+ "\",\"body\":{\"error\":{\"message\":\"bad request " + i
				+ "\",\"type\":\"invalid_request_error\",\"param\":null,\"code\":\"invalid_value\"}}},\"error\":null}\n"
				: "{\"id\":\"batch_req_" + i + "\",\"custom_id\":\"" + customId
						+ "\",\"response\":{\"status_code\":200,\"request_id\":\"req_" + i
						+ "\",\"body\":{\"object\":\"chat.completion\",\"choices\":[{\"index\":0,\"message\""
						+ ":{\"role\":\"assistant\",\"content\":\"" + this.padding + "\"}}]}},\"error\":null}\n";
		return line.getBytes(StandardCharsets.UTF_8);
	}

}
