package dev.ferry.dialect.anthropic;

import java.util.List;

import com.anthropic.client.AnthropicClient;
import com.anthropic.client.okhttp.AnthropicOkHttpClient;
import com.anthropic.core.JsonValue;
import com.anthropic.errors.AnthropicServiceException;
import com.anthropic.errors.NotFoundException;
import com.anthropic.models.messages.batches.BatchCreateParams;
import com.anthropic.models.messages.batches.MessageBatch;
import com.anthropic.models.messages.batches.MessageBatchIndividualResponse;
import mockwebserver3.MockResponse;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import dev.ferry.support.AnthropicJson;
import dev.ferry.support.AnthropicUpstream;
import dev.ferry.support.GatewayKey;
import dev.ferry.support.MockUpstreams;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * The official Anthropic SDK through Ferry's Anthropic dialect to an Anthropic upstream
 * played by MockWebServer.
 */
class AnthropicDialectIntegrationTests extends AnthropicUpstream {

	@Test
	void createPassesTheRequestsThroughWithTheModelPrefixRemoved() throws Exception {
		MockUpstreams.enqueueJson(upstream, 200,
				AnthropicJson.messageBatch("in_progress", false, 0).replace("{", "{\"future_field\":1,"));
		MessageBatch batch = client().messages()
			.batches()
			.create(BatchCreateParams.builder()
				.addRequest(AnthropicRequests.request("q1", "anthropic/claude-sonnet-4-5", "Hello"))
				.addRequest(AnthropicRequests.request("q2", "anthropic/claude-sonnet-4-5", "Bonjour"))
				.build());
		assertThat(batch.id()).isEqualTo("msgbatch_x");
		assertThat(batch.processingStatus()).isEqualTo(MessageBatch.ProcessingStatus.IN_PROGRESS);
		assertThat(batch._additionalProperties()).containsEntry("future_field", JsonValue.from(1));

		RecordedRequest request = MockUpstreams.take(upstream);
		assertThat(request.getTarget()).isEqualTo("/v1/messages/batches");
		assertThat(request.getHeaders().get("x-api-key")).isEqualTo("sk-ant-upstream");
		assertThat(request.getHeaders().get("anthropic-version")).as("the SDK's version, forwarded")
			.isEqualTo("2026-10-21");
		assertThat(request.getHeaders().get("Authorization")).isNull();
		JsonNode sent = this.mapper.readTree(request.getBody().utf8());
		assertThat(sent.at("/requests/0/custom_id").asString()).isEqualTo("q1");
		assertThat(sent.at("/requests/0/params/model").asString()).isEqualTo("claude-sonnet-4-5");
		assertThat(sent.at("/requests/1/params/messages/0/content").asString()).isEqualTo("Bonjour");
	}

	@Test
	void resultsUrlPointsAtFerryAndResultsStreamThroughFromTheUpstreamUrl() throws Exception {
		String upstreamResults = upstream.url("/v1/messages/batches/msgbatch_x/results").toString();
		String ended = AnthropicJson.messageBatch("ended", false, 0)
			.replace("https://api.anthropic.com/v1/messages/batches/msgbatch_x/results", upstreamResults);
		MockUpstreams.enqueueJson(upstream, 200, ended);
		MessageBatch batch = client().messages().batches().retrieve("msgbatch_x");
		assertThat(batch.resultsUrl())
			.contains("http://localhost:" + this.port + "/anthropic/v1/messages/batches/msgbatch_x/results");
		MockUpstreams.take(upstream);

		MockUpstreams.enqueueJson(upstream, 200, ended);
		upstream.enqueue(new MockResponse.Builder().code(200)
			.chunkedBody(
					"""
							{"custom_id":"q1","result":{"type":"succeeded","message":{"id":"msg_1","type":"message","role":"assistant","model":"claude-sonnet-4-5","content":[{"type":"text","text":"Hi"}],"stop_reason":"end_turn","stop_sequence":null,"usage":{"input_tokens":3,"output_tokens":1}}}}
							{"custom_id":"q2","result":{"type":"errored","error":{"type":"error","error":{"type":"invalid_request_error","message":"bad"}}}}
							""",
					40)
			.build());
		try (var results = client().messages().batches().resultsStreaming("msgbatch_x")) {
			List<MessageBatchIndividualResponse> lines = results.stream().toList();
			assertThat(lines).extracting(MessageBatchIndividualResponse::customId).containsExactly("q1", "q2");
			assertThat(lines.get(0).result().isSucceeded()).isTrue();
			assertThat(lines.get(1).result().isErrored()).isTrue();
		}
		assertThat(MockUpstreams.take(upstream).getTarget()).isEqualTo("/v1/messages/batches/msgbatch_x");
		RecordedRequest fetch = MockUpstreams.take(upstream);
		assertThat(fetch.getTarget()).isEqualTo("/v1/messages/batches/msgbatch_x/results");
		assertThat(fetch.getHeaders().get("x-api-key")).isEqualTo("sk-ant-upstream");
	}

	@Test
	void listAutoPagesCancelAndDeleteReachTheUpstream() throws Exception {
		MockUpstreams.enqueueJson(upstream, 200, "{\"data\":[" + AnthropicJson.messageBatch("ended", false, 0)
				+ "],\"has_more\":true,\"first_id\":\"msgbatch_x\",\"last_id\":\"msgbatch_x\"}");
		MockUpstreams.enqueueJson(upstream, 200,
				"{\"data\":[" + AnthropicJson.messageBatch("in_progress", false, 0).replace("msgbatch_x", "msgbatch_y")
						+ "],\"has_more\":false,\"first_id\":\"msgbatch_y\",\"last_id\":\"msgbatch_y\"}");
		List<String> ids = client().messages().batches().list().autoPager().stream().map(MessageBatch::id).toList();
		assertThat(ids).containsExactly("msgbatch_x", "msgbatch_y");
		assertThat(MockUpstreams.take(upstream).getTarget()).isEqualTo("/v1/messages/batches?limit=20");
		assertThat(MockUpstreams.take(upstream).getTarget())
			.isEqualTo("/v1/messages/batches?limit=20&after_id=msgbatch_x");

		MockUpstreams.enqueueJson(upstream, 200, AnthropicJson.messageBatch("canceling", true, 0));
		assertThat(client().messages().batches().cancel("msgbatch_x").processingStatus())
			.isEqualTo(MessageBatch.ProcessingStatus.CANCELING);
		assertThat(MockUpstreams.take(upstream).getTarget()).isEqualTo("/v1/messages/batches/msgbatch_x/cancel");

		MockUpstreams.enqueueJson(upstream, 200, "{\"id\":\"msgbatch_x\",\"type\":\"message_batch_deleted\"}");
		assertThat(client().messages().batches().delete("msgbatch_x").id()).isEqualTo("msgbatch_x");
		RecordedRequest delete = MockUpstreams.take(upstream);
		assertThat(delete.getMethod()).isEqualTo("DELETE");
		assertThat(delete.getTarget()).isEqualTo("/v1/messages/batches/msgbatch_x");
	}

	@Test
	void errorsComeInAnthropicsShape() throws Exception {
		MockUpstreams.enqueueJson(upstream, 404,
				"{\"type\":\"error\",\"error\":{\"type\":\"not_found_error\",\"message\":\"No batch msgbatch_gone\"}}");
		NotFoundException notFound = catchThrowableOfType(NotFoundException.class,
				() -> client().messages().batches().retrieve("msgbatch_gone"));
		assertThat(notFound.getMessage()).contains("No batch msgbatch_gone");
		MockUpstreams.take(upstream);

		MockUpstreams.enqueueJson(upstream, 200, AnthropicJson.messageBatch("in_progress", false, 0));
		AnthropicServiceException early = catchThrowableOfType(AnthropicServiceException.class,
				() -> client().messages().batches().resultsStreaming("msgbatch_x").stream().toList());
		assertThat(early.statusCode()).isEqualTo(409);
		assertThat(early.getMessage())
			.contains("is 'in_progress': results are available once its processing has ended");
		MockUpstreams.take(upstream);

		NotFoundException onSandbox = catchThrowableOfType(NotFoundException.class,
				() -> AnthropicOkHttpClient.builder()
					.baseUrl("http://localhost:" + this.port + "/anthropic")
					.apiKey(GatewayKey.KEY)
					.maxRetries(0)
					.putHeader("x-model-provider", "sandbox")
					.build()
					.messages()
					.batches()
					.retrieve("msgbatch_x"));
		assertThat(onSandbox.getMessage()).contains("No such Batch object: msgbatch_x");
	}

	private AnthropicClient client() {
		return AnthropicOkHttpClient.builder()
			.baseUrl("http://localhost:" + this.port + "/anthropic")
			.apiKey(GatewayKey.KEY)
			.maxRetries(0)
			.build();
	}

}
