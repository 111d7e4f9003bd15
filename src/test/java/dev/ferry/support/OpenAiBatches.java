package dev.ferry.support;

import java.nio.charset.StandardCharsets;
import java.util.List;

import com.openai.client.OpenAIClient;
import com.openai.models.batches.BatchCreateParams;
import com.openai.models.files.FileCreateParams;
import com.openai.models.files.FilePurpose;

/**
 * Batches made the way an OpenAI SDK user makes them: a JSONL file of chat requests,
 * uploaded, then a batch created from it.
 */
public final class OpenAiBatches {

	private OpenAiBatches() {
	}

	/**
	 * Chat requests {@code q0, q1, …}, one per text.
	 * @param model the model of every line
	 * @param texts the user messages
	 * @return the JSONL bytes
	 */
	public static byte[] chatLines(String model, List<String> texts) {
		StringBuilder lines = new StringBuilder();
		for (int i = 0; i < texts.size(); i++) {
			lines.append("{\"custom_id\":\"q")
				.append(i)
				.append("\",\"method\":\"POST\",\"url\":\"/v1/chat/completions\",\"body\":{\"model\":\"")
				.append(model)
				.append("\",\"max_tokens\":16,\"messages\":[{\"role\":\"user\",\"content\":\"")
				.append(texts.get(i))
				.append("\"}]}}\n");
		}
		return lines.toString().getBytes(StandardCharsets.UTF_8);
	}

	/**
	 * Uploads the lines and creates a 24-hour chat completions batch from them.
	 * @param client the client
	 * @param lines the JSONL bytes
	 * @return the batch id
	 */
	public static String create(OpenAIClient client, byte[] lines) {
		return create(client, lines, BatchCreateParams.Endpoint.V1_CHAT_COMPLETIONS);
	}

	/**
	 * Uploads the lines and creates a 24-hour batch on an endpoint from them.
	 * @param client the client
	 * @param lines the JSONL bytes
	 * @param endpoint the batch's endpoint
	 * @return the batch id
	 */
	public static String create(OpenAIClient client, byte[] lines, BatchCreateParams.Endpoint endpoint) {
		String fileId = client.files()
			.create(FileCreateParams.builder().file(lines).purpose(FilePurpose.BATCH).build())
			.id();
		return client.batches()
			.create(BatchCreateParams.builder()
				.inputFileId(fileId)
				.endpoint(endpoint)
				.completionWindow(BatchCreateParams.CompletionWindow._24H)
				.build())
			.id();
	}

	/**
	 * Polls a batch, as a poller would, until it has ended.
	 * @param client the client
	 * @param id the batch id
	 * @param within how long to wait
	 * @return the ended batch
	 * @throws InterruptedException if interrupted while waiting
	 */
	public static com.openai.models.batches.Batch awaitEnd(OpenAIClient client, String id, java.time.Duration within)
			throws InterruptedException {
		long deadline = System.nanoTime() + within.toNanos();
		while (System.nanoTime() < deadline) {
			com.openai.models.batches.Batch batch = client.batches().retrieve(id);
			if (java.util.Set.of("completed", "failed", "expired", "cancelled").contains(batch.status().asString())) {
				return batch;
			}
			Thread.sleep(20);
		}
		throw new AssertionError("batch " + id + " did not end within " + within);
	}

	/**
	 * A file's JSONL lines, read through the SDK.
	 * @param client the client
	 * @param fileId the file
	 * @return the lines as JSON
	 * @throws java.io.IOException if the download fails
	 */
	public static List<tools.jackson.databind.JsonNode> lines(OpenAIClient client, String fileId)
			throws java.io.IOException {
		tools.jackson.databind.json.JsonMapper mapper = tools.jackson.databind.json.JsonMapper.builder().build();
		try (var content = client.files().content(fileId)) {
			return new String(content.body().readAllBytes(), StandardCharsets.UTF_8).lines()
				.filter((line) -> !line.isBlank())
				.map(mapper::readTree)
				.toList();
		}
	}

}
