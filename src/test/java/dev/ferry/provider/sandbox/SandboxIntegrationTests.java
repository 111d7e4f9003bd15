package dev.ferry.provider.sandbox;

import java.util.Arrays;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

import com.openai.client.OpenAIClient;
import com.openai.errors.BadRequestException;
import com.openai.errors.NotFoundException;
import com.openai.errors.OpenAIServiceException;
import com.openai.models.batches.Batch;
import com.openai.models.batches.BatchCreateParams;
import com.openai.models.batches.BatchListParams;
import com.openai.models.files.FileCreateParams;
import com.openai.models.files.FileObject;
import com.openai.models.files.FilePurpose;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import dev.ferry.support.OpenAiClients;
import dev.ferry.support.SandboxProperties;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * The official OpenAI SDK running whole batches on the sandbox through Ferry, as a
 * newcomer without provider keys would.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class SandboxIntegrationTests {

	private static final Duration POLL_LIMIT = Duration.ofSeconds(30);

	private final JsonMapper mapper = JsonMapper.builder().build();

	@LocalServerPort
	int port;

	@DynamicPropertySource
	static void sandboxProperties(DynamicPropertyRegistry registry) throws IOException {
		SandboxProperties.register(registry);
		registry.add("ferry.files.max-upload-size", () -> "4MB");
	}

	@Test
	void runsABatchEndToEndOnTheDefaultSandboxWithoutKeys() throws Exception {
		OpenAIClient client = OpenAiClients.ferry(this.port, null);
		FileObject input = client.files()
			.create(FileCreateParams.builder()
				.file(jsonl(
						"""
								{"custom_id":"a","method":"POST","url":"/v1/chat/completions","body":{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hello ferry"}]}}
								{"custom_id":"b","method":"POST","url":"/v1/chat/completions","body":{"model":"gpt-4o-mini"}}
								{"custom_id":"c","method":"POST","url":"/v1/chat/completions","body":{"model":"gpt-4o-mini","messages":[{"role":"user","content":[{"type":"text","text":"parts too"}]}]}}
								"""))
				.purpose(FilePurpose.BATCH)
				.build());
		assertThat(input.purpose()).isEqualTo(FileObject.Purpose.BATCH);
		Batch created = client.batches()
			.create(BatchCreateParams.builder()
				.inputFileId(input.id())
				.endpoint(BatchCreateParams.Endpoint.V1_CHAT_COMPLETIONS)
				.completionWindow(BatchCreateParams.CompletionWindow._24H)
				.metadata(BatchCreateParams.Metadata.builder()
					.putAdditionalProperty("team", com.openai.core.JsonValue.from("search"))
					.build())
				.build());
		assertThat(created.status()).isEqualTo(Batch.Status.VALIDATING);

		Batch done = poll(client, created.id(), (batch) -> batch.status().equals(Batch.Status.COMPLETED));
		assertThat(done.requestCounts().get().total()).isEqualTo(3);
		assertThat(done.requestCounts().get().completed()).isEqualTo(2);
		assertThat(done.requestCounts().get().failed()).isEqualTo(1);
		assertThat(done.completedAt()).isPresent();
		assertThat(done.metadata().get()._additionalProperties()).containsKey("team");

		List<JsonNode> output = lines(client, done.outputFileId().get());
		assertThat(output).extracting((line) -> line.path("custom_id").asString()).containsExactly("a", "c");
		assertThat(output.get(0).at("/response/body/choices/0/message/content").asString())
			.isEqualTo("echo: hello ferry");
		assertThat(output.get(1).at("/response/body/choices/0/message/content").asString())
			.isEqualTo("echo: parts too");
		List<JsonNode> errors = lines(client, done.errorFileId().get());
		assertThat(errors).singleElement().satisfies((line) -> {
			assertThat(line.path("custom_id").asString()).isEqualTo("b");
			assertThat(line.at("/response/status_code").asInt()).isEqualTo(400);
			assertThat(line.at("/response/body/error/param").asString()).isEqualTo("messages");
		});
		assertThat(client.files().retrieve(done.outputFileId().get()).purpose())
			.isEqualTo(FileObject.Purpose.BATCH_OUTPUT);
	}

	@Test
	void cancellingKeepsPartialResultsAndReportsTheRestAsCancelled() throws Exception {
		OpenAIClient client = OpenAiClients.ferry(this.port, "slow");
		FileObject input = client.files()
			.create(FileCreateParams.builder().file(embeddings(50)).purpose(FilePurpose.BATCH).build());
		Batch created = create(client, input.id(), BatchCreateParams.Endpoint.V1_EMBEDDINGS);
		Batch cancelling = client.batches().cancel(created.id());
		assertThat(cancelling.status()).isEqualTo(Batch.Status.CANCELLING);
		Batch cancelled = poll(client, created.id(), (batch) -> batch.status().equals(Batch.Status.CANCELLED));
		assertThat(cancelled.cancelledAt()).isPresent();
		long completed = cancelled.requestCounts().get().completed();
		assertThat(cancelled.requestCounts().get().failed()).isEqualTo(50 - completed);
		List<JsonNode> errors = lines(client, cancelled.errorFileId().get());
		assertThat(errors).hasSize((int) (50 - completed))
			.allSatisfy((line) -> assertThat(line.at("/error/code").asString()).isEqualTo("batch_cancelled"));
		OpenAIServiceException again = catchThrowableOfType(OpenAIServiceException.class,
				() -> client.batches().cancel(created.id()));
		assertThat(again.statusCode()).isEqualTo(409);
		assertThat(again.getMessage()).contains("Cannot cancel a batch with status 'cancelled'");
	}

	@Test
	void listAutoPaginatesNewestFirst() {
		OpenAIClient client = OpenAiClients.ferry(this.port, "slow");
		FileObject input = client.files()
			.create(FileCreateParams.builder().file(embeddings(1)).purpose(FilePurpose.BATCH).build());
		List<String> created = new ArrayList<>();
		for (int i = 0; i < 5; i++) {
			created.add(0, create(client, input.id(), BatchCreateParams.Endpoint.V1_EMBEDDINGS).id());
		}
		List<String> listed = client.batches()
			.list(BatchListParams.builder().limit(2).build())
			.autoPager()
			.stream()
			.map(Batch::id)
			.toList();
		assertThat(listed).containsSubsequence(created).doesNotHaveDuplicates();
	}

	@Test
	void aLargeBatchStreamsEveryResultLine() throws Exception {
		OpenAIClient client = OpenAiClients.ferry(this.port, null);
		int requests = 20_000;
		FileObject input = client.files()
			.create(FileCreateParams.builder().file(embeddings(requests)).purpose(FilePurpose.BATCH).build());
		Batch created = create(client, input.id(), BatchCreateParams.Endpoint.V1_EMBEDDINGS);
		Batch done = poll(client, created.id(), (batch) -> batch.status().equals(Batch.Status.COMPLETED));
		assertThat(done.requestCounts().get().completed()).isEqualTo(requests);
		FileObject output = client.files().retrieve(done.outputFileId().get());
		long lines = 0;
		long bytes = 0;
		try (var response = client.files().content(output.id());
				BufferedReader reader = new BufferedReader(
						new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
			String line;
			while ((line = reader.readLine()) != null) {
				lines++;
				bytes += line.getBytes(StandardCharsets.UTF_8).length + 1;
				if (lines == requests) {
					assertThat(line).contains("\"custom_id\":\"r" + (requests - 1) + "\"");
				}
			}
		}
		assertThat(lines).isEqualTo(requests);
		assertThat(bytes).as("the size the file object announced").isEqualTo(output.bytes());
	}

	@Test
	void aFileWithInvalidJsonIsRefusedNamingTheLine() {
		OpenAIClient client = OpenAiClients.ferry(this.port, null);
		BadRequestException error = catchThrowableOfType(BadRequestException.class,
				() -> client.files()
					.create(FileCreateParams.builder()
						.file(jsonl("{\"custom_id\":\"a\"}\n\n{\"custom_id\": oops}\n"))
						.purpose(FilePurpose.BATCH)
						.build()));
		assertThat(error.getMessage()).contains("line 3: not valid JSON");
		assertThat(error.param()).contains("file");
	}

	@Test
	void aFileOverTheSizeLimitIsRefused() {
		OpenAIClient client = OpenAiClients.ferry(this.port, null);
		byte[] large = new byte[5 * 1024 * 1024];
		Arrays.fill(large, (byte) 'x');
		OpenAIServiceException error = catchThrowableOfType(OpenAIServiceException.class, () -> client.files()
			.create(FileCreateParams.builder().file(large).purpose(FilePurpose.USER_DATA).build()));
		assertThat(error.statusCode()).isEqualTo(413);
		assertThat(error.getMessage()).contains("ferry.files.max-upload-size");
	}

	@Test
	void aBatchWhoseLinesTargetAnotherEndpointFailsValidationWithLineNumbers() {
		OpenAIClient client = OpenAiClients.ferry(this.port, null);
		FileObject input = client.files().create(FileCreateParams.builder().file(jsonl("""
				{"custom_id":"a","method":"POST","url":"/v1/chat/completions","body":{"messages":[]}}
				{"custom_id":"b","method":"POST","url":"/v1/embeddings","body":{"input":"x"}}
				""")).purpose(FilePurpose.BATCH).build());
		Batch created = create(client, input.id(), BatchCreateParams.Endpoint.V1_CHAT_COMPLETIONS);
		Batch failed = poll(client, created.id(), (batch) -> batch.status().equals(Batch.Status.FAILED));
		assertThat(failed.errors().get().data().get()).singleElement().satisfies((error) -> {
			assertThat(error.code()).contains("url_mismatch");
			assertThat(error.line()).contains(2L);
		});
	}

	@Test
	void deletedFilesAreGoneAndUnknownObjectsAre404() {
		OpenAIClient client = OpenAiClients.ferry(this.port, null);
		FileObject file = client.files()
			.create(FileCreateParams.builder().file(embeddings(1)).purpose(FilePurpose.BATCH).build());
		assertThat(client.files().list().data()).extracting(FileObject::id).contains(file.id());
		assertThat(client.files().delete(file.id()).deleted()).isTrue();
		assertThat(catchThrowableOfType(NotFoundException.class, () -> client.files().retrieve(file.id())))
			.hasMessageContaining("No such File object: " + file.id());
		assertThat(catchThrowableOfType(NotFoundException.class, () -> client.batches().retrieve("batch_missing")))
			.hasMessageContaining("No such Batch object: batch_missing");
	}

	@Test
	void aBatchStillFinishesAndServesResultsAfterItsInputFileIsDeleted() throws Exception {
		OpenAIClient client = OpenAiClients.ferry(this.port, null);
		FileObject input = client.files()
			.create(FileCreateParams.builder().file(embeddings(3)).purpose(FilePurpose.BATCH).build());
		Batch created = create(client, input.id(), BatchCreateParams.Endpoint.V1_EMBEDDINGS);
		assertThat(client.files().delete(input.id()).deleted()).isTrue();
		Batch done = poll(client, created.id(), (batch) -> batch.status().equals(Batch.Status.COMPLETED));
		assertThat(lines(client, done.outputFileId().get())).hasSize(3);
		assertThat(catchThrowableOfType(NotFoundException.class, () -> client.files().retrieve(input.id())))
			.isNotNull();
	}

	@Test
	void aBatchOnAFileOfAnotherPurposeIsRefused() {
		OpenAIClient client = OpenAiClients.ferry(this.port, null);
		FileObject file = client.files()
			.create(FileCreateParams.builder().file(jsonl("hello")).purpose(FilePurpose.USER_DATA).build());
		BadRequestException error = catchThrowableOfType(BadRequestException.class,
				() -> create(client, file.id(), BatchCreateParams.Endpoint.V1_EMBEDDINGS));
		assertThat(error.getMessage())
			.contains("has purpose 'user_data' (expected: a file uploaded with purpose 'batch')");
	}

	@Test
	void anUnknownProviderIsRefusedListingTheConfiguredOnes() {
		OpenAIClient client = OpenAiClients.ferry(this.port, "nowhere");
		BadRequestException error = catchThrowableOfType(BadRequestException.class,
				() -> client.batches().retrieve("batch_1"));
		assertThat(error.getMessage())
			.isEqualTo("400: provider: 'nowhere' is not configured (configured: anthropic, openai, sandbox, slow)");
	}

	private static Batch create(OpenAIClient client, String inputFileId, BatchCreateParams.Endpoint endpoint) {
		return client.batches()
			.create(BatchCreateParams.builder()
				.inputFileId(inputFileId)
				.endpoint(endpoint)
				.completionWindow(BatchCreateParams.CompletionWindow._24H)
				.build());
	}

	private Batch poll(OpenAIClient client, String batchId, Predicate<Batch> done) {
		long deadline = System.nanoTime() + POLL_LIMIT.toNanos();
		while (System.nanoTime() < deadline) {
			Batch batch = client.batches().retrieve(batchId);
			if (done.test(batch)) {
				return batch;
			}
			sleep();
		}
		throw new AssertionError("batch " + batchId + " did not reach the expected status within " + POLL_LIMIT);
	}

	private List<JsonNode> lines(OpenAIClient client, String fileId) throws IOException {
		try (var response = client.files().content(fileId)) {
			String body = new String(response.body().readAllBytes(), StandardCharsets.UTF_8);
			return body.lines().filter((line) -> !line.isBlank()).map(this.mapper::readTree).toList();
		}
	}

	private static byte[] embeddings(int count) {
		StringBuilder jsonl = new StringBuilder();
		for (int i = 0; i < count; i++) {
			jsonl.append("{\"custom_id\":\"r")
				.append(i)
				.append("\",\"method\":\"POST\",\"url\":\"/v1/embeddings\",\"body\":{\"model\":\"emb\",\"input\":\"text ")
				.append(i)
				.append("\"}}\n");
		}
		return jsonl.toString().getBytes(StandardCharsets.UTF_8);
	}

	private static byte[] jsonl(String text) {
		return text.getBytes(StandardCharsets.UTF_8);
	}

	private static void sleep() {
		try {
			Thread.sleep(200);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new AssertionError(ex);
		}
	}

}
