package dev.ferry.conformance;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

import com.openai.client.OpenAIClient;
import com.openai.errors.NotFoundException;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import dev.ferry.support.OpenAiBatches;
import dev.ferry.support.OpenAiClients;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.http.client.MultipartBodyBuilder;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.web.reactive.function.BodyInserters;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * Many teams on one Ferry: a batch or file created with a team's gateway key is found by
 * that team's keys and by admin keys, and by no other team, on every operation of every
 * dialect (a 404, as for an id that never existed), including the native Anthropic path;
 * lists show a team its own objects only, paged over the filtered set.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@AutoConfigureWebTestClient(timeout = "30s")
class TeamOwnershipIntegrationTests {

	/** Alice's key, of team {@code research}. */
	static final String ALICE = "ferry-alice-research-000001";

	/** Carol's key, also of team {@code research}. */
	static final String CAROL = "ferry-carol-research-000002";

	/** Bob's key, of team {@code bob} (his key's name, as none is set). */
	static final String BOB = "ferry-bob-own-team-00000003";

	/** The platform team's admin key. */
	static final String ADMIN = "ferry-platform-admin-000004";

	static final AnthropicReplica anthropic = new AnthropicReplica("sk-ant-key");

	/** A webhook receiver that acknowledges every event and keeps its body. */
	static final MockWebServer hooks = dev.ferry.support.MockUpstreams.started();

	static final List<String> events = new java.util.concurrent.CopyOnWriteArrayList<>();

	private final JsonMapper mapper = JsonMapper.builder().build();

	@LocalServerPort
	int port;

	@Autowired
	WebTestClient web;

	@DynamicPropertySource
	static void teams(DynamicPropertyRegistry registry) throws Exception {
		key(registry, 0, "alice", ALICE);
		registry.add("ferry.auth.keys[0].team", () -> "research");
		key(registry, 1, "carol", CAROL);
		registry.add("ferry.auth.keys[1].team", () -> "research");
		key(registry, 2, "bob", BOB);
		key(registry, 3, "root", ADMIN);
		registry.add("ferry.auth.keys[3].admin", () -> "true");
		String storage = java.nio.file.Files.createTempDirectory("ferry-teams").toString();
		registry.add("ferry.storage.path", () -> storage);
		registry.add("ferry.providers.sandbox.processing-time", () -> "1s");
		registry.add("ferry.providers.anthropic.base-url", anthropic::baseUrl);
		registry.add("ferry.providers.anthropic.api-key", () -> "sk-ant-key");
		dev.ferry.support.MockUpstreams.withoutStatusCache(registry, "anthropic");
		hooks.setDispatcher(new mockwebserver3.Dispatcher() {
			@Override
			public mockwebserver3.MockResponse dispatch(mockwebserver3.RecordedRequest request) {
				events.add(request.getBody().utf8());
				return new mockwebserver3.MockResponse.Builder().code(204).build();
			}
		});
		registry.add("ferry.webhooks.endpoints[0].url", () -> hooks.url("/hooks").toString());
		registry.add("ferry.webhooks.endpoints[0].secret",
				() -> "whsec_" + java.util.Base64.getEncoder().encodeToString(new byte[32]));
		registry.add("ferry.webhooks.endpoints[0].teams", () -> "research");
		registry.add("ferry.webhooks.allow-private-targets", () -> "true");
		registry.add("ferry.webhooks.poll-interval", () -> "100ms");
		registry.add("ferry.usage.enabled", () -> "true");
	}

	private static void key(DynamicPropertyRegistry registry, int index, String name, String key) {
		registry.add("ferry.auth.keys[" + index + "].name", () -> name);
		registry.add("ferry.auth.keys[" + index + "].key", () -> key);
	}

	@AfterEach
	void replicaRefusedNothing() {
		assertThat(anthropic.violations()).isEmpty();
	}

	@Test
	void openAiDialect() throws Exception {
		String prefix = "/openai/v1";
		String file = upload(prefix, ALICE);
		String running = create(prefix, ALICE, file);
		assertThat(status(Call.post(prefix + "/batches/" + running + "/cancel", "{}"), BOB)).isEqualTo(404);
		assertThat(status(Call.post(prefix + "/batches/" + running + "/cancel", "{}"), CAROL)).isEqualTo(200);
		String done = create(prefix, ALICE, upload(prefix, ALICE));
		JsonNode ended = awaitEnded(prefix + "/batches/" + done, ALICE);
		String output = ended.path("output_file_id").asString();

		List<Call> calls = List.of(get(prefix + "/batches/" + done), get(prefix + "/files/" + file),
				get(prefix + "/files/" + file + "/content"), get(prefix + "/files/" + output),
				get(prefix + "/files/" + output + "/content"));
		expectMatrix(calls);
		assertThat(status(Call.post(prefix + "/batches", createBody(file)), BOB)).isEqualTo(404);
		assertThat(status(Call.delete(prefix + "/files/" + file), BOB)).isEqualTo(404);
		assertThat(listed(prefix + "/batches", BOB)).doesNotContain(running, done);
		assertThat(listed(prefix + "/files", BOB)).doesNotContain(file, output);
		assertThat(listed(prefix + "/batches", CAROL)).contains(running, done);
		assertThat(listed(prefix + "/files", CAROL)).contains(file, output);
		assertThat(listed(prefix + "/batches", ADMIN)).contains(running, done);

		assertThat(status(Call.delete(prefix + "/files/" + file), ALICE)).isEqualTo(200);

		// The OpenAI SDK sees another team's batch as one that does not exist.
		OpenAIClient bob = OpenAiClients.ferry(this.port, "sandbox", BOB);
		NotFoundException notFound = catchThrowableOfType(NotFoundException.class, () -> bob.batches().retrieve(done));
		assertThat(notFound.getMessage()).contains("No such Batch object: " + done);
		assertThat(OpenAiBatches.lines(OpenAiClients.ferry(this.port, "sandbox", CAROL), output)).hasSize(1);
	}

	@Test
	void unifiedDialect() throws Exception {
		String file = upload("/v1", ALICE);
		String running = create("/v1", ALICE, file);
		assertThat(status(Call.post("/v1/batches/" + running + "/cancel?provider=sandbox", "{}"), BOB)).isEqualTo(404);
		assertThat(status(Call.post("/v1/batches/" + running + "/cancel?provider=sandbox", "{}"), ALICE))
			.isEqualTo(200);
		String done = create("/v1", ALICE, upload("/v1", ALICE));
		awaitEnded("/v1/batches/" + done + "?provider=sandbox", ALICE);
		expectMatrix(List.of(get("/v1/batches/" + done + "?provider=sandbox"),
				get("/v1/batches/" + done + "/results?provider=sandbox"),
				get("/v1/files/" + file + "?provider=sandbox"),
				get("/v1/files/" + file + "/content?provider=sandbox")));
		assertThat(status(Call.post("/v1/batches/" + running + "/cancel?provider=sandbox", "{}"), BOB)).isEqualTo(404);
		assertThat(status(Call.delete("/v1/batches/" + done + "?provider=sandbox"), BOB)).isEqualTo(404);
		assertThat(listed("/v1/batches?provider=sandbox", BOB)).doesNotContain(running, done);
		assertThat(listed("/v1/batches?provider=sandbox", ALICE)).contains(running, done);
		assertThat(listed("/v1/files?provider=sandbox", BOB)).doesNotContain(file);
		assertThat(listed("/v1/files?provider=sandbox", CAROL)).contains(file);
		assertThat(status(Call.delete("/v1/files/" + file + "?provider=sandbox"), BOB)).isEqualTo(404);
		assertThat(status(Call.delete("/v1/batches/" + done + "?provider=sandbox"), ADMIN)).isEqualTo(200);
		assertThat(listed("/v1/batches?provider=sandbox", ALICE)).doesNotContain(done);
	}

	@Test
	void anthropicDialectOnAnOpenAiFormatProvider() throws Exception {
		expectAnthropicMatrix("sandbox/echo-1");
	}

	@Test
	void anthropicDialectOnAnthropicItself() throws Exception {
		expectAnthropicMatrix("anthropic/claude-haiku-4-5");
	}

	@Test
	void listsPageOverTheTeamsOwnBatchesOnly() throws Exception {
		List<String> before = pages(CAROL, new ArrayList<>());
		List<String> research = new ArrayList<>();
		List<String> bobs = new ArrayList<>();
		for (int i = 0; i < 5; i++) {
			research.add(0, create("/openai/v1", (i % 2 == 0) ? ALICE : CAROL, upload("/openai/v1", ALICE)));
			bobs.add(create("/openai/v1", BOB, upload("/openai/v1", BOB)));
		}
		List<Boolean> more = new ArrayList<>();
		List<String> seen = pages(CAROL, more);
		List<String> expected = new ArrayList<>(research);
		expected.addAll(before);
		assertThat(seen).containsExactlyElementsOf(expected).doesNotContainAnyElementsOf(bobs);
		// Pages of two, each but the last saying more follow.
		assertThat(more).hasSize((expected.size() + 1) / 2).endsWith(false);
		assertThat(more.subList(0, more.size() - 1)).containsOnly(true);
	}

	/**
	 * Every batch a caller lists, page by page, two at a time, noting each page's
	 * has_more.
	 */
	private List<String> pages(String key, List<Boolean> more) {
		List<String> seen = new ArrayList<>();
		String after = null;
		boolean hasMore;
		do {
			JsonNode page = json(
					Call.get(
							"/openai/v1/batches?provider=sandbox&limit=2" + ((after != null) ? "&after=" + after : "")),
					key);
			page.path("data").forEach((batch) -> seen.add(batch.path("id").asString()));
			hasMore = page.path("has_more").asBoolean();
			more.add(hasMore);
			after = page.path("last_id").asString(null);
		}
		while (hasMore);
		return seen;
	}

	private void expectAnthropicMatrix(String model) throws Exception {
		String prefix = "/anthropic/v1/messages/batches";
		String body = """
				{"requests":[{"custom_id":"r1","params":{"model":"%s","max_tokens":16,
				 "messages":[{"role":"user","content":"hi"}]}}]}""".formatted(model);
		String provider = model.substring(0, model.indexOf('/'));
		String running = json(Call.post(prefix, body), ALICE).path("id").asString();
		assertThat(status(Call.post(prefix + "/" + running + "/cancel", "{}"), BOB)).isEqualTo(404);
		assertThat(status(Call.post(prefix + "/" + running + "/cancel", "{}"), CAROL)).isEqualTo(200);
		String done = json(Call.post(prefix, body), ALICE).path("id").asString();
		awaitEnded(prefix + "/" + done, ALICE, (batch) -> batch.path("processing_status").asString().equals("ended"));
		expectMatrix(List.of(get(prefix + "/" + done), get(prefix + "/" + done + "/results")));
		assertThat(status(Call.delete(prefix + "/" + done), BOB)).isEqualTo(404);
		String list = prefix + "?provider=" + provider;
		assertThat(listedAnthropic(list, BOB)).doesNotContain(running, done);
		assertThat(listedAnthropic(list, CAROL)).contains(running, done);
		// Work Ferry does on its own account reaches the provider with its configured
		// key:
		// the ended batch's usage is read and recorded, and its webhook event sent.
		awaitUntil(() -> json(Call.get("/v1/usage?provider=" + provider + "&group_by=provider"), ALICE).path("data")
			.path(0)
			.path("batches")
			.asLong() >= 1);
		if (provider.equals("anthropic")) {
			// On Anthropic itself the event names the message batch; elsewhere it names
			// the batch as the OpenAI dialect shows it (see the README).
			awaitUntil(() -> events.stream()
				.anyMatch((event) -> this.mapper.readTree(event).at("/data/id").asString().equals(done)));
		}
		assertThat(status(Call.delete(prefix + "/" + done), CAROL)).isEqualTo(200);
	}

	private static void awaitUntil(java.util.function.BooleanSupplier condition) throws InterruptedException {
		long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
		while (!condition.getAsBoolean()) {
			if (System.nanoTime() > deadline) {
				throw new AssertionError("not reached within 20 s");
			}
			Thread.sleep(100);
		}
	}

	/**
	 * Each call: the owning team's keys and an admin's reach it; another team's gets a
	 * 404.
	 */
	private void expectMatrix(List<Call> calls) {
		for (Call call : calls) {
			assertThat(status(call, ALICE)).as("alice: %s", call).isEqualTo(200);
			assertThat(status(call, CAROL)).as("carol, same team: %s", call).isEqualTo(200);
			assertThat(status(call, ADMIN)).as("admin: %s", call).isEqualTo(200);
			assertThat(status(call, BOB)).as("bob, another team: %s", call).isEqualTo(404);
		}
	}

	private String upload(String prefix, String key) {
		MultipartBodyBuilder form = new MultipartBodyBuilder();
		form.part("purpose", "batch");
		form.part("file",
				new org.springframework.core.io.ByteArrayResource(OpenAiBatches.chatLines("echo-1", List.of("hello"))) {
					@Override
					public String getFilename() {
						return "batch.jsonl";
					}
				});
		return this.web.post()
			.uri(prefix + "/files?provider=sandbox")
			.header("Authorization", "Bearer " + key)
			.body(BodyInserters.fromMultipartData(form.build()))
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody(JsonNode.class)
			.returnResult()
			.getResponseBody()
			.path("id")
			.asString();
	}

	private String create(String prefix, String key, String file) {
		return json(Call.post(prefix + "/batches?provider=sandbox", createBody(file)), key).path("id").asString();
	}

	private static String createBody(String file) {
		return "{\"input_file_id\":\"" + file
				+ "\",\"endpoint\":\"/v1/chat/completions\",\"completion_window\":\"24h\",\"provider\":\"sandbox\"}";
	}

	private JsonNode awaitEnded(String uri, String key) throws InterruptedException {
		return awaitEnded(uri, key, (batch) -> batch.path("status").asString().equals("completed"));
	}

	private JsonNode awaitEnded(String uri, String key, Predicate<JsonNode> ended) throws InterruptedException {
		long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
		while (System.nanoTime() < deadline) {
			JsonNode batch = json(Call.get(uri), key);
			if (ended.test(batch)) {
				return batch;
			}
			Thread.sleep(100);
		}
		throw new AssertionError(uri + " did not end");
	}

	private List<String> listed(String uri, String key) {
		List<String> ids = new ArrayList<>();
		json(Call.get(uri + (uri.contains("?") ? "&" : "?") + "limit=100"), key).path("data")
			.forEach((item) -> ids.add(item.path("id").asString()));
		return ids;
	}

	private List<String> listedAnthropic(String uri, String key) {
		List<String> ids = new ArrayList<>();
		json(Call.get(uri + "&limit=100"), key).path("data").forEach((item) -> ids.add(item.path("id").asString()));
		return ids;
	}

	private JsonNode json(Call call, String key) {
		byte[] body = exchange(call, key).expectStatus()
			.is2xxSuccessful()
			.expectBody()
			.returnResult()
			.getResponseBodyContent();
		return this.mapper.readTree(body);
	}

	private int status(Call call, String key) {
		return exchange(call, key).returnResult(byte[].class).getStatus().value();
	}

	private WebTestClient.ResponseSpec exchange(Call call, String key) {
		WebTestClient.RequestBodySpec request = this.web.method(call.method())
			.uri(call.uri())
			.header("Authorization", "Bearer " + key)
			.header("anthropic-version", "2023-06-01");
		return (call.body() != null) ? request.contentType(MediaType.APPLICATION_JSON).bodyValue(call.body()).exchange()
				: request.exchange();
	}

	private static Call get(String uri) {
		return Call.get(uri);
	}

	/** One API call, as any caller would make it. */
	private record Call(HttpMethod method, String uri, @org.jspecify.annotations.Nullable String body) {

		static Call get(String uri) {
			return new Call(HttpMethod.GET, uri, null);
		}

		static Call post(String uri, String body) {
			return new Call(HttpMethod.POST, uri, body);
		}

		static Call delete(String uri) {
			return new Call(HttpMethod.DELETE, uri, null);
		}

	}

}
