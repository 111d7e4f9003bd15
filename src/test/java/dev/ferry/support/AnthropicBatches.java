package dev.ferry.support;

import java.time.Duration;
import java.util.List;

import com.anthropic.client.AnthropicClient;
import com.anthropic.client.okhttp.AnthropicOkHttpClient;
import com.anthropic.models.messages.Model;
import com.anthropic.models.messages.batches.BatchCreateParams;
import com.anthropic.models.messages.batches.MessageBatch;
import com.anthropic.models.messages.batches.MessageBatchIndividualResponse;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The official Anthropic SDK pointed at Ferry, and what its users do with a batch: poll
 * it until it has ended, then stream its results.
 */
public final class AnthropicBatches {

	private AnthropicBatches() {
	}

	/**
	 * A client for Ferry's Anthropic dialect with the gateway key; retries are off so
	 * each call is one request.
	 * @param port Ferry's port
	 * @return the client
	 */
	public static AnthropicClient ferry(int port) {
		return AnthropicOkHttpClient.builder()
			.baseUrl("http://localhost:" + port + "/anthropic")
			.apiKey(GatewayKey.KEY)
			.maxRetries(0)
			.build();
	}

	/**
	 * Creates a batch of one request, {@code m1}: a short answer to a user message, with
	 * a system prompt.
	 * @param client the client
	 * @param model the model, with its provider prefix
	 * @param text the user message
	 * @return the batch as created
	 */
	public static MessageBatch createOne(AnthropicClient client, String model, String text) {
		return client.messages()
			.batches()
			.create(BatchCreateParams.builder()
				.addRequest(BatchCreateParams.Request.builder()
					.customId("m1")
					.params(BatchCreateParams.Request.Params.builder()
						.model(Model.of(model))
						.maxTokens(32)
						.system("Be brief.")
						.addUserMessage(text)
						.build())
					.build())
				.build());
	}

	/**
	 * Polls a batch until its processing has ended.
	 * @param client the client
	 * @param batch the batch as created
	 * @param within how long to wait
	 * @return the ended batch
	 * @throws InterruptedException if interrupted while waiting
	 */
	public static MessageBatch awaitEnded(AnthropicClient client, MessageBatch batch, Duration within)
			throws InterruptedException {
		long deadline = System.nanoTime() + within.toNanos();
		MessageBatch current = batch;
		while (current.processingStatus() != MessageBatch.ProcessingStatus.ENDED) {
			assertThat(System.nanoTime()).as("batch %s ends", batch.id()).isLessThan(deadline);
			Thread.sleep(50);
			current = client.messages().batches().retrieve(batch.id());
		}
		return current;
	}

	/**
	 * Streams an ended batch's results.
	 * @param client the client
	 * @param id the batch id
	 * @return every result
	 */
	public static List<MessageBatchIndividualResponse> results(AnthropicClient client, String id) {
		try (var stream = client.messages().batches().resultsStreaming(id)) {
			return stream.stream().toList();
		}
	}

}
