package dev.ferry.provider.openrouter;

import java.util.Map;

import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import dev.ferry.batch.ApiError;
import dev.ferry.batch.BatchStatus;
import dev.ferry.config.ProviderProperties;
import dev.ferry.files.InputRequest;
import dev.ferry.provider.jobs.JobClient;
import dev.ferry.provider.jobs.JobState;
import dev.ferry.provider.jobs.JobSubmission;
import dev.ferry.support.MockUpstreams;

import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import org.springframework.web.reactive.function.client.WebClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * OpenRouter's batch object read as the canonical batch, and its 200 MB create body
 * limit: a batch whose body would be larger is refused from its first, sizing pass,
 * before a byte is sent.
 */
class OpenRouterApiTests {

	private final JsonMapper mapper = JsonMapper.builder().build();

	private final MockWebServer upstream = MockUpstreams.started();

	private OpenRouterApi api() {
		ProviderProperties properties = new Binder(new MapConfigurationPropertySource(
				Map.of("base-url", this.upstream.url("/").toString(), "api-key", "sk-or")))
			.bindOrCreate("", ProviderProperties.class);
		return new OpenRouterApi(new JobClient("openrouter", WebClient.create(this.upstream.url("/").toString()),
				properties, dev.ferry.batch.ProviderDescriptor.Auth.BEARER, this.mapper), this.mapper);
	}

	@AfterEach
	void stop() {
		this.upstream.close();
	}

	@ParameterizedTest
	@CsvSource({ "validating, VALIDATING", "in_progress, IN_PROGRESS", "finalizing, FINALIZING", "completed, COMPLETED",
			"failed, FAILED", "expired, EXPIRED", "cancelled, CANCELLED", "something_new, IN_PROGRESS" })
	void everyStatusIsOpenAisAndAnUnknownOneKeepsPollersPolling(String status, BatchStatus expected) {
		JobState state = api().state(this.mapper.readTree("{\"id\":\"b\",\"status\":\"" + status + "\"}"));
		assertThat(state.status()).isEqualTo(expected);
		assertThat(state.nativeStatus()).isEqualTo(status);
	}

	@Test
	void requestsAnExpiredBatchNeverRanAreCountedAsFailed() {
		JobState state = api().state(this.mapper.readTree("""
				{"id":"b","status":"expired","request_counts":{"total":5,"completed":2,"failed":1},
				 "created_at":1700000000,"finalized_at":"2023-11-15T22:13:20Z"}"""));
		assertThat(state.counts().failed()).isEqualTo(3);
		assertThat(state.counts().expired()).isEqualTo(2);
		assertThat(state.times().expiredAt()).isEqualTo(1_700_086_400L);
	}

	@Test
	void aCreateBodyOver200MbIsRefusedBeforeAnythingIsSent() {
		OpenRouterApi api = api();
		String megabyte = "x".repeat(1024 * 1024);
		JobSubmission submission = new JobSubmission(() -> Flux.range(0, 201).map((i) -> {
			ObjectNode body = this.mapper.createObjectNode();
			body.putArray("messages").addObject().put("role", "user").put("content", megabyte);
			return new InputRequest("r" + i, body, "line " + (i + 1), "input_file_id");
		}), 201, true, "/v1/chat/completions", "openai/gpt-4o-mini", null, "big", this.mapper.createObjectNode());
		StepVerifier.create(api.submit(submission)).expectErrorSatisfies((error) -> {
			assertThat(error).isInstanceOf(ApiError.class);
			assertThat(((ApiError) error).status()).isEqualTo(413);
			assertThat(error.getMessage()).contains("OpenRouter's 200 MB limit", "split the batch");
		}).verify();
		assertThat(this.upstream.getRequestCount()).isZero();
	}

}
