package dev.ferry.webhooks;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import dev.ferry.support.MockUpstreams;
import dev.ferry.support.OpenAiBatches;
import dev.ferry.support.OpenAiClients;
import dev.ferry.support.StandaloneFerry;

import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Signed completion webhooks, as a receiver sees them: it verifies each message with the
 * Standard Webhooks algorithm, fails the first attempts, and gets the one event of the
 * batch, with the same {@code webhook-id}, until it acknowledges it, across a restart of
 * Ferry between attempts; an endpoint for another team hears nothing; an endpoint on a
 * private address is refused at start-up.
 */
class WebhooksIntegrationTests {

	static final String ALICE = "ferry-alice-research-hooks-01";

	/** A Standard Webhooks secret: {@code whsec_} and 32 random bytes in base64. */
	static final String SECRET = "whsec_"
			+ Base64.getEncoder().encodeToString("ferry-webhook-test-secret-32byte".getBytes(StandardCharsets.UTF_8));

	private final JsonMapper mapper = JsonMapper.builder().build();

	private final List<ConfigurableApplicationContext> started = new ArrayList<>();

	@AfterEach
	void stop() {
		this.started.forEach(ConfigurableApplicationContext::close);
	}

	@Test
	void theEventIsSignedAndDeliveredUntilAcknowledgedAcrossARestart() throws Exception {
		Receiver research = new Receiver(2);
		Receiver ops = new Receiver(0);
		try (MockWebServer researchServer = MockUpstreams.started();
				MockWebServer opsServer = MockUpstreams.started()) {
			researchServer.setDispatcher(research);
			opsServer.setDispatcher(ops);
			Path storage = Files.createTempDirectory("ferry-webhooks");
			String[] arguments = { "--server.port=0", "--ferry.storage.path=" + storage,
					"--ferry.auth.keys[0].name=alice", "--ferry.auth.keys[0].key=" + ALICE,
					"--ferry.auth.keys[0].team=research", "--ferry.auth.keys[1].name=olga",
					"--ferry.auth.keys[1].key=ferry-olga-ops-hooks-0000002", "--ferry.auth.keys[1].team=ops",
					"--ferry.webhooks.endpoints[0].url=" + researchServer.url("/hooks/ferry"),
					"--ferry.webhooks.endpoints[0].secret=" + SECRET, "--ferry.webhooks.endpoints[0].teams=research",
					"--ferry.webhooks.endpoints[1].url=" + opsServer.url("/hooks/ops"),
					"--ferry.webhooks.endpoints[1].secret=" + SECRET, "--ferry.webhooks.endpoints[1].teams=ops",
					"--ferry.webhooks.allow-private-targets=true", "--ferry.webhooks.poll-interval=100ms",
					"--ferry.webhooks.first-retry=300ms", "--ferry.providers.sandbox.processing-time=300ms",
					"--ferry.providers.sandbox.status-cache.running-ttl=0s",
					"--ferry.providers.sandbox.status-cache.ended-ttl=0s", "--ferry.usage.enabled=true" };
			ConfigurableApplicationContext first = start(arguments);
			String id = OpenAiBatches.create(OpenAiClients.ferry(port(first), "sandbox", ALICE),
					OpenAiBatches.chatLines("echo-1", List.of("hello")));

			// The first attempt fails; once Ferry has noted it, Ferry restarts.
			research.awaitAttempts(1);
			awaitAttemptsNoted(storage, 1);
			first.close();
			ConfigurableApplicationContext second = start(arguments);
			research.awaitAttempts(3);
			Thread.sleep(1000);

			assertThat(research.attempts).hasSize(3);
			assertThat(research.attempts).extracting(Attempt::id).containsOnly(research.attempts.get(0).id());
			assertThat(research.attempts).allSatisfy((attempt) -> assertThat(attempt.verified()).isTrue());
			JsonNode event = this.mapper.readTree(research.attempts.get(0).body());
			assertThat(event.path("object").asString()).isEqualTo("event");
			assertThat(event.path("type").asString()).isEqualTo("batch.completed");
			assertThat(event.path("id").asString()).isEqualTo(research.attempts.get(0).id()).startsWith("evt_");
			assertThat(event.at("/data/id").asString()).isEqualTo(id);
			assertThat(event.path("created_at").asLong()).isPositive();
			assertThat(ops.attempts).isEmpty();
			try (var queued = Files.list(storage.resolve("webhooks/deliveries"))) {
				assertThat(queued).isEmpty();
			}
			// Nobody but the watcher saw the batch end: its usage is recorded all the
			// same.
			JsonNode usage = this.mapper
				.readTree(org.springframework.test.web.reactive.server.WebTestClient.bindToServer()
					.baseUrl("http://localhost:" + port(second))
					.build()
					.get()
					.uri("/v1/usage")
					.header("Authorization", "Bearer " + ALICE)
					.exchange()
					.expectStatus()
					.isOk()
					.expectBody()
					.returnResult()
					.getResponseBodyContent());
			assertThat(usage.at("/data/0/requests").asLong()).isEqualTo(1);
		}
	}

	@Test
	void anEndpointOnAPrivateAddressIsRefusedAtStartUp() {
		for (String url : List.of("http://127.0.0.1:9/hook", "http://10.1.2.3/hook", "http://169.254.169.254/latest",
				"http://[::1]:9/hook")) {
			assertThatThrownBy(() -> start("--server.port=0",
					"--ferry.storage.path=" + Files.createTempDirectory("ferry-webhooks-private"),
					"--ferry.webhooks.endpoints[0].url=" + url, "--ferry.webhooks.endpoints[0].secret=" + SECRET))
				.as(url)
				.hasStackTraceContaining("ferry.webhooks.endpoints[0].url")
				.hasStackTraceContaining("ferry.webhooks.allow-private-targets=true");
		}
	}

	private ConfigurableApplicationContext start(String... arguments) {
		ConfigurableApplicationContext context = StandaloneFerry.start(arguments);
		this.started.add(context);
		return context;
	}

	/** Waits until the delivery in the store shows its failed attempts. */
	private void awaitAttemptsNoted(Path storage, int attempts) throws Exception {
		Path folder = storage.resolve("webhooks/deliveries");
		long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
		while (System.nanoTime() < deadline) {
			if (Files.isDirectory(folder)) {
				try (var files = Files.list(folder)) {
					for (Path file : files.toList()) {
						JsonNode delivery = this.mapper.readTree(Files.readAllBytes(file));
						if (delivery.path("attempts").asInt() >= attempts
								&& delivery.path("leasedUntil").asLong() == 0) {
							return;
						}
					}
				}
			}
			Thread.sleep(20);
		}
		throw new AssertionError("the delivery never showed " + attempts + " attempts");
	}

	private static int port(ConfigurableApplicationContext context) {
		return ((WebServerApplicationContext) context).getWebServer().getPort();
	}

	/**
	 * A receiver that verifies each message as the Standard Webhooks specification says
	 * and fails the first ones.
	 */
	static final class Receiver extends Dispatcher {

		private final int failures;

		private final AtomicInteger seen = new AtomicInteger();

		final List<Attempt> attempts = new CopyOnWriteArrayList<>();

		Receiver(int failures) {
			this.failures = failures;
		}

		@Override
		public MockResponse dispatch(RecordedRequest request) {
			String id = request.getHeaders().get("webhook-id");
			String timestamp = request.getHeaders().get("webhook-timestamp");
			String signature = request.getHeaders().get("webhook-signature");
			String body = request.getBody().utf8();
			this.attempts.add(new Attempt(id, body, verify(id, timestamp, body, signature)));
			return new MockResponse.Builder().code((this.seen.incrementAndGet() <= this.failures) ? 500 : 204).build();
		}

		private static boolean verify(String id, String timestamp, String body, String signature) {
			try {
				long sent = Long.parseLong(timestamp);
				if (Math.abs(System.currentTimeMillis() / 1000 - sent) > 300) {
					return false;
				}
				Mac mac = Mac.getInstance("HmacSHA256");
				mac.init(new SecretKeySpec(Base64.getDecoder().decode(SECRET.substring("whsec_".length())),
						"HmacSHA256"));
				byte[] expected = mac.doFinal((id + "." + timestamp + "." + body).getBytes(StandardCharsets.UTF_8));
				for (String candidate : signature.split(" ")) {
					if (candidate.startsWith("v1,") && MessageDigest.isEqual(expected,
							Base64.getDecoder().decode(candidate.substring("v1,".length())))) {
						return true;
					}
				}
				return false;
			}
			catch (Exception ex) {
				return false;
			}
		}

		void awaitAttempts(int count) throws InterruptedException {
			long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
			while (System.nanoTime() < deadline && this.attempts.size() < count) {
				Thread.sleep(20);
			}
			assertThat(this.attempts).as("attempts").hasSizeGreaterThanOrEqualTo(count);
		}

	}

	/** One attempt as received. */
	record Attempt(String id, String body, boolean verified) {
	}

}
