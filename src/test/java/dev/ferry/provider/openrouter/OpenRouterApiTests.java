package dev.ferry.provider.openrouter;

import java.util.Map;

import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import dev.ferry.batch.ApiError;
import dev.ferry.config.ProviderProperties;
import dev.ferry.files.InputRequest;
import dev.ferry.provider.jobs.JobClient;
import dev.ferry.provider.jobs.JobSubmission;
import dev.ferry.support.MockUpstreams;

import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import org.springframework.web.reactive.function.client.WebClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * OpenRouter takes at most 200 MB per create body: a batch whose body would be larger is
 * refused from its first, sizing pass, before a byte is sent.
 */
class OpenRouterApiTests {

	private final JsonMapper mapper = JsonMapper.builder().build();

	private final MockWebServer upstream = MockUpstreams.started();

	@AfterEach
	void stop() {
		this.upstream.close();
	}

	@Test
	void aCreateBodyOver200MbIsRefusedBeforeAnythingIsSent() {
		ProviderProperties properties = new Binder(new MapConfigurationPropertySource(
				Map.of("base-url", this.upstream.url("/").toString(), "api-key", "sk-or")))
			.bindOrCreate("", ProviderProperties.class);
		OpenRouterApi api = new OpenRouterApi(new JobClient("openrouter",
				WebClient.create(this.upstream.url("/").toString()), properties, this.mapper), this.mapper);
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
