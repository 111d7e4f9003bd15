package dev.ferry.bench;

import java.nio.charset.StandardCharsets;

/**
 * The lines the benchmarks work on: typical batch results and requests, a few hundred
 * bytes each, as providers send them.
 */
public final class BenchLines {

	/** Lines per benchmark operation. */
	public static final int LINES = 1000;

	private BenchLines() {
	}

	/**
	 * One Anthropic result line, as {@code results_url} serves it.
	 * @param i the line number
	 * @return the line, without its newline
	 */
	public static String anthropicResult(int i) {
		return "{\"custom_id\":\"request-" + i + "\",\"result\":{\"type\":\"succeeded\",\"message\":{\"id\":\"msg_01"
				+ i + "\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"claude-sonnet-4-5\","
				+ "\"content\":[{\"type\":\"text\",\"text\":\""
				+ "The answer, in a sentence or two of prose. ".repeat(4)
				+ "\"}],\"stop_reason\":\"end_turn\",\"stop_sequence\":null,"
				+ "\"usage\":{\"input_tokens\":42,\"output_tokens\":57}}}}";
	}

	/**
	 * One OpenAI chat.completions request body.
	 * @param i the request number
	 * @return the body
	 */
	public static String chatRequest(int i) {
		return "{\"model\":\"gpt-4o-mini\",\"max_tokens\":256,\"temperature\":0.2,\"messages\":["
				+ "{\"role\":\"system\",\"content\":\"You answer in one short paragraph.\"},"
				+ "{\"role\":\"user\",\"content\":\"Question number " + i + ": "
				+ "what does a batch gateway do for offline workloads? ".repeat(3) + "\"}]}";
	}

	/**
	 * One OpenAI output line.
	 * @param i the line number
	 * @return the line, without its newline
	 */
	public static String openAiOutput(int i) {
		return "{\"id\":\"batch_req_" + i + "\",\"custom_id\":\"request-" + i + "\",\"response\":{\"status_code\":200,"
				+ "\"request_id\":\"req_" + i + "\",\"body\":{\"id\":\"chatcmpl-" + i
				+ "\",\"object\":\"chat.completion\","
				+ "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\""
				+ "The answer, in a sentence or two of prose. ".repeat(4) + "\"},\"finish_reason\":\"stop\"}]}},"
				+ "\"error\":null}";
	}

	/**
	 * A JSONL document of lines.
	 * @param kind {@code anthropic} or {@code openai}
	 * @return the bytes
	 */
	public static byte[] jsonl(String kind) {
		StringBuilder out = new StringBuilder();
		for (int i = 0; i < LINES; i++) {
			out.append(kind.equals("anthropic") ? anthropicResult(i) : openAiOutput(i)).append('\n');
		}
		return out.toString().getBytes(StandardCharsets.UTF_8);
	}

}
