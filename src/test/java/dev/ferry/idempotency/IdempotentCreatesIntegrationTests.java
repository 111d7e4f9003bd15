package dev.ferry.idempotency;

import java.io.IOException;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

import com.anthropic.client.AnthropicClient;
import com.anthropic.client.okhttp.AnthropicOkHttpClient;
import com.anthropic.models.messages.Model;
import com.anthropic.models.messages.batches.MessageBatch;
import com.openai.client.OpenAIClient;
import com.openai.core.http.Headers;
import com.openai.errors.OpenAIServiceException;
import com.openai.models.batches.Batch;
import com.openai.models.batches.BatchCreateParams;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

import dev.ferry.batch.Params;
import dev.ferry.support.GatewayKey;
import dev.ferry.support.MockUpstreams;
import dev.ferry.support.OpenAiClients;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.http.MediaType;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * Creates with an {@code Idempotency-Key}, sent by the official SDKs as a client retrying
 * would send them, against an upstream that bills a batch for every create it receives.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@AutoConfigureWebTestClient(timeout = "60s")
class IdempotentCreatesIntegrationTests {

	static final MockWebServer upstream = MockUpstreams.started();

	static final CreatesUpstream creates = new CreatesUpstream();

	@LocalServerPort
	int port;

	@Autowired
	WebTestClient web;

	@DynamicPropertySource
	static void properties(DynamicPropertyRegistry registry) throws IOException {
		upstream.setDispatcher(creates);
		MockUpstreams.pointAt(registry, upstream, List.of("openai"), true);
	}

	@BeforeEach
	void reset() {
		creates.creates.set(0);
		creates.delayMillis = 300;
		this.web = GatewayKey.presentedBy(this.web);
	}

	@Test
	void aRetriedCreateReturnsTheFirstBatchWithoutASecondUpstreamCreate() {
		String key = UUID.randomUUID().toString();
		Batch first = OpenAiClients.ferry(this.port, "openai").batches().create(params("file-in", key));
		var retried = OpenAiClients.ferry(this.port, "openai")
			.batches()
			.withRawResponse()
			.create(params("file-in", key));
		assertThat(retried.parse().id()).isEqualTo(first.id());
		assertThat(retried.headers().values(IdempotentCreates.REPLAYED_HEADER)).containsExactly("true");
		assertThat(creates.creates).hasValue(1);
	}

	@Test
	void aRetryWhileTheFirstCreateIsUnderWayJoinsIt() {
		creates.delayMillis = 1500;
		String key = UUID.randomUUID().toString();
		List<CompletableFuture<Batch>> both = List.of(
				CompletableFuture.supplyAsync(
						() -> OpenAiClients.ferry(this.port, "openai").batches().create(params("file-in", key))),
				CompletableFuture.supplyAsync(
						() -> OpenAiClients.ferry(this.port, "openai").batches().create(params("file-in", key))));
		assertThat(both.get(0).join().id()).isEqualTo(both.get(1).join().id());
		assertThat(creates.creates).hasValue(1);
	}

	@Test
	void theSameKeyOnADifferentRequestIsAConflict() {
		String key = UUID.randomUUID().toString();
		OpenAiClients.ferry(this.port, "openai").batches().create(params("file-in", key));
		OpenAIServiceException conflict = catchThrowableOfType(OpenAIServiceException.class,
				() -> OpenAiClients.ferry(this.port, "openai").batches().create(params("file-other", key)));
		assertThat(conflict.statusCode()).isEqualTo(409);
		assertThat(conflict.code()).hasValue("idempotency_key_reused");
		assertThat(conflict.getMessage()).contains("was first used with a different request");
		assertThat(creates.creates).hasValue(1);
	}

	@Test
	void keysAreEachCallersOwn() {
		String key = UUID.randomUUID().toString();
		Batch gateway = OpenAiClients.ferry(this.port, "openai").batches().create(params("file-in", key));
		Batch own = OpenAiClients.ferry(this.port, "openai", "sk-my-own").batches().create(params("file-in", key));
		assertThat(own.id()).isNotEqualTo(gateway.id());
		assertThat(creates.creates).hasValue(2);
	}

	@Test
	void aCreateTheUpstreamRefusedFreesItsKeyForARetry() {
		String key = UUID.randomUUID().toString();
		OpenAIServiceException refused = catchThrowableOfType(OpenAIServiceException.class,
				() -> OpenAiClients.ferry(this.port, "openai").batches().create(params("fail-400", key)));
		assertThat(refused.statusCode()).isEqualTo(400);
		OpenAIServiceException again = catchThrowableOfType(OpenAIServiceException.class,
				() -> OpenAiClients.ferry(this.port, "openai").batches().create(params("fail-400", key)));
		assertThat(again.statusCode()).as("sent again, not replayed from a record").isEqualTo(400);
		assertThat(creates.creates).hasValue(2);
	}

	@Test
	void aCreateThatMayHaveReachedTheUpstreamIsNeverSentAgain() {
		String key = UUID.randomUUID().toString();
		OpenAIServiceException failed = catchThrowableOfType(OpenAIServiceException.class,
				() -> OpenAiClients.ferry(this.port, "openai").batches().create(params("fail-500", key)));
		assertThat(failed.statusCode()).isEqualTo(500);
		OpenAIServiceException retried = catchThrowableOfType(OpenAIServiceException.class,
				() -> OpenAiClients.ferry(this.port, "openai").batches().create(params("fail-500", key)));
		assertThat(retried.statusCode()).isEqualTo(409);
		assertThat(retried.code()).hasValue("idempotency_outcome_unknown");
		assertThat(retried.getMessage()).contains("list your batches");
		assertThat(creates.creates).hasValue(1);
	}

	@Test
	void anInvalidKeyIsRefusedBeforeAnythingGoesUpstream() {
		this.web.post()
			.uri("/v1/batches")
			.header("Idempotency-Key", "x".repeat(256))
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue("{\"provider\":\"openai\",\"input_file_id\":\"file-in\",\"endpoint\":\"/v1/chat/completions\"}")
			.exchange()
			.expectStatus()
			.isBadRequest()
			.expectBody()
			.jsonPath("$.error.param")
			.isEqualTo("Idempotency-Key")
			.jsonPath("$.error.message")
			.value((String message) -> assertThat(message).contains("1 to 255 printable ASCII characters"));
		assertThat(creates.creates).hasValue(0);
	}

	@Test
	void theAnthropicSdksRetriedCreateGetsTheFirstMessageBatch() {
		AnthropicClient client = AnthropicOkHttpClient.builder()
			.baseUrl("http://localhost:" + this.port + "/anthropic")
			.apiKey(GatewayKey.KEY)
			.maxRetries(0)
			.build();
		String key = UUID.randomUUID().toString();
		var params = com.anthropic.models.messages.batches.BatchCreateParams.builder()
			.putAdditionalHeader("Idempotency-Key", key)
			.addRequest(com.anthropic.models.messages.batches.BatchCreateParams.Request.builder()
				.customId("q1")
				.params(com.anthropic.models.messages.batches.BatchCreateParams.Request.Params.builder()
					.model(Model.of("claude-sonnet-4-5"))
					.maxTokens(50)
					.addUserMessage("Hello")
					.build())
				.build())
			.build();
		MessageBatch first = client.messages().batches().create(params);
		MessageBatch retried = client.messages().batches().create(params);
		assertThat(retried.id()).isEqualTo(first.id());
		assertThat(creates.creates).hasValue(1);
	}

	@Test
	void hundredsOfParallelCreatesWithDistinctKeysMakeExactlyThatManyBatches() {
		creates.delayMillis = 20;
		int count = 300;
		List<String> keys = Flux.range(0, count).map((i) -> UUID.randomUUID().toString()).collectList().block();
		OpenAIClient client = OpenAiClients.ferry(this.port, "openai");
		// Threads of the test's own: Ferry, in this JVM, needs the shared bounded-elastic
		// ones for its blob store.
		Scheduler callers = Schedulers.newBoundedElastic(32, Integer.MAX_VALUE, "creates");
		List<String> ids;
		try {
			ids = Flux.fromIterable(keys)
				.concatWith(Flux.fromIterable(keys))
				.parallel(32)
				.runOn(callers)
				.map((key) -> client.batches().create(params("file-in", key)).id())
				.sequential()
				.collectList()
				.block(Duration.ofSeconds(120));
		}
		finally {
			callers.dispose();
		}
		Set<String> distinct = new HashSet<>(ids);
		assertThat(ids).hasSize(2 * count);
		assertThat(distinct).as("each key's retry got its first batch").hasSize(count);
		assertThat(creates.creates).as("upstream creates").hasValue(count);
	}

	static BatchCreateParams params(String inputFileId, String key) {
		return BatchCreateParams.builder()
			.inputFileId(inputFileId)
			.endpoint(BatchCreateParams.Endpoint.V1_CHAT_COMPLETIONS)
			.completionWindow(BatchCreateParams.CompletionWindow._24H)
			.additionalHeaders(Headers.builder().put("Idempotency-Key", key).build())
			.build();
	}

}
