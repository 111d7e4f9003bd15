package dev.ferry.dialect.anthropic;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;

import com.anthropic.client.AnthropicClient;
import com.anthropic.client.okhttp.AnthropicOkHttpClient;
import com.anthropic.core.JsonValue;
import com.anthropic.errors.AnthropicServiceException;
import com.anthropic.errors.BadRequestException;
import com.anthropic.models.messages.Model;
import com.anthropic.models.messages.batches.BatchCreateParams;
import com.anthropic.models.messages.batches.MessageBatch;
import com.anthropic.models.messages.batches.MessageBatchIndividualResponse;
import org.junit.jupiter.api.Test;

import dev.ferry.batch.FerryIds;
import dev.ferry.batch.Params;
import dev.ferry.support.GatewayKey;
import dev.ferry.support.SandboxProperties;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * The official Anthropic SDK running batches on the sandbox, an OpenAI-format provider:
 * requests translated to chat completions, results merged back into Anthropic result
 * lines.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class AnthropicSdkOnSandboxIntegrationTests {

	private static final Duration POLL_LIMIT = Duration.ofSeconds(30);

	@LocalServerPort
	int port;

	@DynamicPropertySource
	static void sandboxProperties(DynamicPropertyRegistry registry) throws IOException {
		SandboxProperties.register(registry);
	}

	@Test
	void runsABatchWithTranslatedRequestsAndResults() {
		AnthropicClient client = client(null);
		MessageBatch created = client.messages()
			.batches()
			.create(BatchCreateParams.builder()
				.addRequest(AnthropicRequests.request("q1", "sandbox/claude-echo", "Hello Ferry"))
				.addRequest(BatchCreateParams.Request.builder()
					.customId("q2")
					.params(BatchCreateParams.Request.Params.builder()
						.model(Model.of("sandbox/claude-echo"))
						.maxTokens(16)
						.messages(List.of())
						.build())
					.build())
				.build());
		assertThat(created.id()).startsWith("msgbatch_");
		assertThat(created.processingStatus()).isEqualTo(MessageBatch.ProcessingStatus.IN_PROGRESS);

		MessageBatch ended = poll(client, created.id(),
				(batch) -> batch.processingStatus().equals(MessageBatch.ProcessingStatus.ENDED));
		assertThat(ended.requestCounts().succeeded()).isEqualTo(1);
		assertThat(ended.requestCounts().errored()).isEqualTo(1);
		assertThat(ended.endedAt()).isPresent();
		assertThat(ended.resultsUrl())
			.contains("http://localhost:" + this.port + "/anthropic/v1/messages/batches/" + created.id() + "/results");

		try (var results = client.messages().batches().resultsStreaming(created.id())) {
			List<MessageBatchIndividualResponse> lines = results.stream().toList();
			assertThat(lines).extracting(MessageBatchIndividualResponse::customId)
				.containsExactlyInAnyOrder("q1", "q2");
			MessageBatchIndividualResponse q1 = lines.stream()
				.filter((line) -> line.customId().equals("q1"))
				.findFirst()
				.get();
			var message = q1.result().succeeded().get().message();
			assertThat(message.content().get(0).text().get().text()).isEqualTo("echo: Hello Ferry");
			assertThat(message.stopReason())
				.hasValueSatisfying((reason) -> assertThat(reason.toString()).isEqualTo("end_turn"));
			assertThat(message.usage().outputTokens()).isEqualTo(3);
			MessageBatchIndividualResponse q2 = lines.stream()
				.filter((line) -> line.customId().equals("q2"))
				.findFirst()
				.get();
			assertThat(q2.result().isErrored()).isTrue();
			assertThat(q2.result().errored().get().error().toString()).contains("invalid_request_error");
		}
	}

	@Test
	void cancelListAndDeleteUseTheMintedId() {
		AnthropicClient client = client("slow");
		MessageBatch created = client.messages()
			.batches()
			.create(BatchCreateParams.builder()
				.addRequest(AnthropicRequests.request("a", "claude-echo", "one"))
				.build());
		assertThat(client.messages().batches().list().autoPager().stream().map(MessageBatch::id))
			.contains(created.id());
		AnthropicServiceException early = catchThrowableOfType(AnthropicServiceException.class,
				() -> client.messages().batches().delete(created.id()));
		assertThat(early.statusCode()).isEqualTo(409);
		AnthropicServiceException noResultsYet = catchThrowableOfType(AnthropicServiceException.class,
				() -> client.messages().batches().resultsStreaming(created.id()).stream().toList());
		assertThat(noResultsYet.statusCode()).isEqualTo(409);
		assertThat(noResultsYet.getMessage()).contains("it can be read once its processing has ended");

		assertThat(client.messages().batches().cancel(created.id()).processingStatus())
			.isEqualTo(MessageBatch.ProcessingStatus.CANCELING);
		MessageBatch ended = poll(client, created.id(),
				(batch) -> batch.processingStatus().equals(MessageBatch.ProcessingStatus.ENDED));
		assertThat(ended.cancelInitiatedAt()).isPresent();
		assertThat(ended.requestCounts().canceled()).isEqualTo(1);
		try (var results = client.messages().batches().resultsStreaming(created.id())) {
			assertThat(results.stream().toList()).singleElement()
				.satisfies((line) -> assertThat(line.result().isCanceled()).isTrue());
		}
		assertThat(client.messages().batches().delete(created.id()).id()).isEqualTo(created.id());
	}

	@Test
	void withoutAnAnthropicKeyTheDialectRunsOnTheSandbox() {
		MessageBatch created = client(null).messages()
			.batches()
			.create(BatchCreateParams.builder()
				.addRequest(AnthropicRequests.request("a", "claude-echo", "hi"))
				.build());
		assertThat(FerryIds.decode("msgbatch_", created.id()))
			.hasValueSatisfying((minted) -> assertThat(minted.provider()).isEqualTo("sandbox"));
	}

	@Test
	void batchesOfSeveralModelsAreRefusedAndMessagesParamsPassThrough() {
		AnthropicClient client = client("sandbox");
		BadRequestException mixed = catchThrowableOfType(BadRequestException.class,
				() -> client.messages()
					.batches()
					.create(BatchCreateParams.builder()
						.addRequest(AnthropicRequests.request("a", "model-one", "x"))
						.addRequest(AnthropicRequests.request("b", "model-two", "y"))
						.build()));
		assertThat(mixed.getMessage()).contains(
				"requests use several models (model-one, model-two); provider 'sandbox' runs one model per batch");
		// The sandbox runs Messages requests itself, so they reach it untranslated:
		// top_k, which no chat request carries, is taken (on OpenAI-format providers it
		// is refused, see AnthropicSdkOnOpenAiIntegrationTests).
		MessageBatch topK = client.messages()
			.batches()
			.create(BatchCreateParams.builder()
				.addRequest(BatchCreateParams.Request.builder()
					.customId("k1")
					.params(BatchCreateParams.Request.Params.builder()
						.model(Model.of("m"))
						.maxTokens(8)
						.addUserMessage("x")
						.putAdditionalProperty("top_k", JsonValue.from(5))
						.build())
					.build())
				.build());
		poll(client, topK.id(), (batch) -> batch.processingStatus().equals(MessageBatch.ProcessingStatus.ENDED));
		try (var results = client.messages().batches().resultsStreaming(topK.id())) {
			assertThat(results.stream().toList()).singleElement()
				.satisfies((result) -> assertThat(result.result().isSucceeded()).isTrue());
		}
	}

	private AnthropicClient client(String provider) {
		AnthropicOkHttpClient.Builder builder = AnthropicOkHttpClient.builder()
			.baseUrl("http://localhost:" + this.port + "/anthropic")
			.apiKey(GatewayKey.KEY)
			.maxRetries(0);
		if (provider != null) {
			builder.putHeader("x-model-provider", provider);
		}
		return builder.build();
	}

	private MessageBatch poll(AnthropicClient client, String id, Predicate<MessageBatch> done) {
		long deadline = System.nanoTime() + POLL_LIMIT.toNanos();
		while (System.nanoTime() < deadline) {
			MessageBatch batch = client.messages().batches().retrieve(id);
			if (done.test(batch)) {
				return batch;
			}
			try {
				Thread.sleep(200);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				throw new AssertionError(ex);
			}
		}
		throw new AssertionError("batch " + id + " did not reach the expected state within " + POLL_LIMIT);
	}

}
