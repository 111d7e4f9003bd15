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
		String fileId = client.files()
			.create(FileCreateParams.builder().file(lines).purpose(FilePurpose.BATCH).build())
			.id();
		return client.batches()
			.create(BatchCreateParams.builder()
				.inputFileId(fileId)
				.endpoint(BatchCreateParams.Endpoint.V1_CHAT_COMPLETIONS)
				.completionWindow(BatchCreateParams.CompletionWindow._24H)
				.build())
			.id();
	}

}
