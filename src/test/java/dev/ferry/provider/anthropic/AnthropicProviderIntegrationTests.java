package dev.ferry.provider.anthropic;

import java.nio.charset.StandardCharsets;

import io.micrometer.core.instrument.MeterRegistry;
import mockwebserver3.MockResponse;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import dev.ferry.batch.FerryIds;
import dev.ferry.support.AnthropicJson;
import dev.ferry.support.AnthropicUpstream;
import dev.ferry.support.GatewayKey;
import dev.ferry.support.MockUpstreams;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.MediaType;
import org.springframework.http.client.MultipartBodyBuilder;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The unified API on the Anthropic provider, against an Anthropic upstream played by
 * MockWebServer, which records what Ferry sent.
 */
class AnthropicProviderIntegrationTests extends AnthropicUpstream {

	@Autowired
	WebTestClient web;

	@Autowired
	MeterRegistry meters;

	@BeforeEach
	void presentTheGatewayKey() {
		this.web = GatewayKey.presentedBy(this.web);
	}

	@Test
	void createsAnInlineBatchWithAnthropicsHeadersAndKeepsTheMetadata() throws Exception {
		MockUpstreams.enqueueJson(upstream, 200, AnthropicJson.messageBatch("in_progress", false, 0));
		JsonNode created = json(this.web.post()
			.uri("/v1/batches")
			.header("anthropic-beta", "message-batches-2024-09-24")
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(
					"""
							{"model":"anthropic/claude-sonnet-4-5","endpoint":"/v1/messages","metadata":{"team":"search"},
							 "requests":[{"custom_id":"q1","params":{"max_tokens":64,"messages":[{"role":"user","content":"Hi"}]}},
							             {"custom_id":"q2","params":{"model":"claude-haiku-4-5","max_tokens":8,"messages":[{"role":"user","content":"Yo"}]}}]}
							""")
			.exchange()
			.expectStatus()
			.isOk());
		String id = created.path("id").asString();
		assertThat(FerryIds.decode("batch_", id)).as("a minted id carrying the provider and native id")
			.contains(new FerryIds.Minted("anthropic", "msgbatch_x"));
		assertThat(created.path("status").asString()).isEqualTo("in_progress");
		assertThat(created.path("processing_status").asString()).isEqualTo("in_progress");
		assertThat(created.at("/request_counts/pending").asLong()).isEqualTo(4);
		assertThat(created.at("/metadata/team").asString()).isEqualTo("search");
		assertThat(created.at("/extra_fields/provider").asString()).isEqualTo("anthropic");

		RecordedRequest request = MockUpstreams.take(upstream);
		assertThat(request.getMethod()).isEqualTo("POST");
		assertThat(request.getTarget()).isEqualTo("/v1/messages/batches");
		assertThat(request.getHeaders().get("x-api-key")).isEqualTo("sk-ant-upstream");
		assertThat(request.getHeaders().get("anthropic-version")).isEqualTo("2023-06-01");
		assertThat(request.getHeaders().get("anthropic-beta")).isEqualTo("message-batches-2024-09-24");
		assertThat(request.getHeaders().get("Authorization")).isNull();
		JsonNode sent = this.mapper.readTree(request.getBody().utf8());
		assertThat(sent.properties()).extracting(java.util.Map.Entry::getKey).containsExactly("requests");
		assertThat(sent.at("/requests/0/custom_id").asString()).isEqualTo("q1");
		assertThat(sent.at("/requests/0/params/model").asString()).isEqualTo("claude-sonnet-4-5");
		assertThat(sent.at("/requests/1/params/model").asString()).isEqualTo("claude-haiku-4-5");

		MockUpstreams.enqueueJson(upstream, 200, AnthropicJson.messageBatch("ended", false, 0));
		JsonNode done = json(this.web.get().uri("/v1/batches/" + id).exchange().expectStatus().isOk());
		assertThat(done.path("status").asString()).isEqualTo("completed");
		assertThat(done.path("endpoint").asString()).isEqualTo("/v1/messages");
		assertThat(done.path("output_file_id").asString()).startsWith("file-");
		assertThat(done.at("/metadata/team").asString()).as("metadata Ferry kept").isEqualTo("search");
		assertThat(done.path("results_url").asString()).as("Ferry's results, never the upstream's")
			.isEqualTo("http://localhost:" + this.port + "/anthropic/v1/messages/batches/" + id + "/results");
		assertThat(MockUpstreams.take(upstream).getTarget()).isEqualTo("/v1/messages/batches/msgbatch_x");
	}

	@Test
	void cancelAndListMapStatusesAndPageWithAfterId() throws Exception {
		MockUpstreams.enqueueJson(upstream, 200, AnthropicJson.messageBatch("canceling", true, 0));
		this.web.post()
			.uri("/v1/batches/msgbatch_x/cancel?provider=anthropic")
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody()
			.jsonPath("$.status")
			.isEqualTo("cancelling")
			.jsonPath("$.cancelling_at")
			.isNumber();
		RecordedRequest cancel = MockUpstreams.take(upstream);
		assertThat(cancel.getMethod()).isEqualTo("POST");
		assertThat(cancel.getTarget()).isEqualTo("/v1/messages/batches/msgbatch_x/cancel");

		MockUpstreams.enqueueJson(upstream, 200, "{\"data\":[" + AnthropicJson.messageBatch("ended", true, 0)
				+ "],\"has_more\":true,\"first_id\":\"msgbatch_x\",\"last_id\":\"msgbatch_x\"}");
		this.web.get()
			.uri("/v1/batches?provider=anthropic&limit=1&after=" + FerryIds.mint("batch_", "anthropic", "msgbatch_w"))
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody()
			.jsonPath("$.data[0].status")
			.isEqualTo("cancelled")
			.jsonPath("$.has_more")
			.isEqualTo(true)
			.jsonPath("$.last_id")
			.isEqualTo(FerryIds.mint("batch_", "anthropic", "msgbatch_x"));
		assertThat(MockUpstreams.take(upstream).getTarget())
			.isEqualTo("/v1/messages/batches?limit=1&after_id=msgbatch_w");
	}

	@Test
	void upstreamErrorsKeepAnthropicsStatusTypeAndMessage() throws Exception {
		MockUpstreams.enqueueJson(upstream, 404,
				"{\"type\":\"error\",\"error\":{\"type\":\"not_found_error\",\"message\":\"No batch msgbatch_gone\"}}");
		this.web.get()
			.uri("/v1/batches/msgbatch_gone?provider=anthropic")
			.exchange()
			.expectStatus()
			.isNotFound()
			.expectBody()
			.jsonPath("$.error.type")
			.isEqualTo("not_found_error")
			.jsonPath("$.error.message")
			.isEqualTo("No batch msgbatch_gone")
			.jsonPath("$.extra_fields.provider")
			.isEqualTo("anthropic");
		MockUpstreams.take(upstream);
	}

	@Test
	void createsABatchFromAnUploadedFileOfMessagesRequests() throws Exception {
		MultipartBodyBuilder form = new MultipartBodyBuilder();
		form.part("provider", "anthropic");
		form.part("purpose", "batch");
		form.part("file",
				("{\"custom_id\":\"m1\",\"method\":\"POST\",\"url\":\"/v1/messages\",\"body\":"
						+ "{\"max_tokens\":5,\"top_k\":3,\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}}\n")
					.getBytes(StandardCharsets.UTF_8))
			.filename("messages.jsonl");
		JsonNode file = json(this.web.post()
			.uri("/v1/files")
			.contentType(MediaType.MULTIPART_FORM_DATA)
			.bodyValue(form.build())
			.exchange()
			.expectStatus()
			.isOk());
		String fileId = file.path("id").asString();
		assertThat(file.path("filename").asString()).isEqualTo("messages.jsonl");

		MockUpstreams.enqueueJson(upstream, 200, AnthropicJson.messageBatch("in_progress", false, 0));
		JsonNode created = json(this.web.post()
			.uri("/v1/batches")
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue("{\"model\":\"anthropic/claude-haiku-4-5\",\"endpoint\":\"/v1/messages\",\"input_file_id\":\""
					+ fileId + "\"}")
			.exchange()
			.expectStatus()
			.isOk());
		assertThat(created.path("input_file_id").asString()).isEqualTo(fileId);
		assertThat(created.path("model").asString()).isEqualTo("claude-haiku-4-5");
		JsonNode sent = this.mapper.readTree(MockUpstreams.take(upstream).getBody().utf8());
		assertThat(sent).as("Messages params pass as they are, with the batch's model")
			.isEqualTo(this.mapper.readTree("{\"requests\":[{\"custom_id\":\"m1\",\"params\":{\"max_tokens\":5,"
					+ "\"top_k\":3,\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}],\"model\":\"claude-haiku-4-5\"}}]}"));
	}

	@Test
	void requestsAnthropicCannotRunAreRefusedBeforeAnythingGoesUpstream() {
		expectInvalid(
				"{\"model\":\"anthropic/c\",\"endpoint\":\"/v1/chat/completions\",\"requests\":[{\"custom_id\":\"a\","
						+ "\"params\":{\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}],\"n\":3}}]}",
				"requests",
				"requests[0] (custom_id 'a'): unsupported parameter n (Anthropic has no equivalent; supported: "
						+ "max_completion_tokens, max_tokens, messages, model, parallel_tool_calls, response_format, "
						+ "safety_identifier, stop, temperature, tool_choice, tools, top_p, user, and stream, n, "
						+ "logprobs, presence_penalty, frequency_penalty, store at their default values)");
		expectInvalid(
				"{\"model\":\"anthropic/c\",\"endpoint\":\"/v1/embeddings\",\"requests\":[{\"custom_id\":\"a\","
						+ "\"params\":{\"input\":\"x\"}}]}",
				"endpoint", "endpoint: '/v1/embeddings' is not run by provider 'anthropic' (it runs: "
						+ "/v1/chat/completions, /v1/messages)");
		expectInvalid("{\"model\":\"anthropic/c\",\"endpoint\":\"/v1/messages\",\"input_file_id\":\"file-1\"}",
				"input_file_id", "input_file_id: 'file-1' is not an input file uploaded to provider 'anthropic'");
	}

	private void expectInvalid(String body, String param, String message) {
		this.web.post()
			.uri("/v1/batches")
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(body)
			.exchange()
			.expectStatus()
			.isBadRequest()
			.expectBody()
			.jsonPath("$.error.param")
			.isEqualTo(param)
			.jsonPath("$.error.message")
			.isEqualTo(message);
	}

	private JsonNode json(WebTestClient.ResponseSpec response) {
		return this.mapper.readTree(response.expectBody().returnResult().getResponseBody());
	}

	@Test
	void pagesResultsInAnthropicsOwnFormatFromOneDownload() throws Exception {
		String ended = AnthropicJson.messageBatch("ended", false, 0)
			.replace("https://api.anthropic.com/v1/messages/batches/msgbatch_x/results",
					upstream.url("/v1/messages/batches/msgbatch_x/results").toString());
		MockUpstreams.enqueueJson(upstream, 200, ended);
		upstream.enqueue(new MockResponse.Builder().code(200)
			.chunkedBody(
					"""
							{"custom_id":"q1","result":{"type":"succeeded","message":{"id":"msg_1","type":"message","role":"assistant","model":"claude-sonnet-4-5","content":[{"type":"text","text":"Hi"}],"stop_reason":"end_turn","stop_sequence":null,"usage":{"input_tokens":3,"output_tokens":1}}}}
							{"custom_id":"q2","result":{"type":"errored","error":{"type":"error","error":{"type":"invalid_request_error","message":"bad"}}}}
							{"custom_id":"q3","result":{"type":"expired"}}
							""",
					64)
			.build());
		JsonNode first = json(this.web.get()
			.uri("/v1/batches/msgbatch_x/results?provider=anthropic&limit=2")
			.exchange()
			.expectStatus()
			.isOk());
		assertThat(first.path("results")).hasSize(2);
		assertThat(first.at("/results/0/custom_id").asString()).isEqualTo("q1");
		assertThat(first.at("/results/0/result/message/content/0/text").asString()).isEqualTo("Hi");
		assertThat(first.at("/results/0/error").isMissingNode()).isTrue();
		assertThat(first.at("/results/1/error/code").asString()).isEqualTo("invalid_request_error");
		assertThat(first.at("/results/1/error/message").asString()).isEqualTo("bad");
		assertThat(first.path("has_more").asBoolean()).isTrue();
		assertThat(MockUpstreams.take(upstream).getTarget()).isEqualTo("/v1/messages/batches/msgbatch_x");
		assertThat(MockUpstreams.take(upstream).getTarget()).isEqualTo("/v1/messages/batches/msgbatch_x/results");

		MockUpstreams.enqueueJson(upstream, 200, ended);
		JsonNode last = json(this.web.get()
			.uri("/v1/batches/msgbatch_x/results?provider=anthropic&limit=2&cursor={cursor}",
					first.path("next_cursor").asString())
			.exchange()
			.expectStatus()
			.isOk());
		assertThat(last.path("results")).singleElement()
			.satisfies((item) -> assertThat(item.path("error").path("code").asString()).isEqualTo("expired"));
		assertThat(last.path("has_more").asBoolean()).isFalse();
		assertThat(MockUpstreams.take(upstream).getTarget()).as("the batch is checked again, the results are not")
			.isEqualTo("/v1/messages/batches/msgbatch_x");
		MockUpstreams.assertNothingLeft(upstream);
		assertThat(this.meters.find("http.client.requests")
			.tag("provider", "anthropic")
			.tag("uri", "/{results_url}")
			.timer()).as("results downloads share one metrics series").isNotNull();
	}

	@Test
	void resultsOfAnArchivedBatchAreGone() throws Exception {
		MockUpstreams.enqueueJson(upstream, 200, AnthropicJson.messageBatch("ended", false, 0)
			.replace("\"archived_at\":null", "\"archived_at\":\"2026-01-30T00:00:00Z\""));
		JsonNode gone = json(this.web.get()
			.uri("/v1/batches/msgbatch_x/results?provider=anthropic")
			.exchange()
			.expectStatus()
			.isEqualTo(410));
		assertThat(gone.at("/error/message").asString()).contains("archived", "29 days");
		MockUpstreams.take(upstream);
	}

}
