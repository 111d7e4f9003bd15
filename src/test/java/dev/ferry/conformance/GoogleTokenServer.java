package dev.ferry.conformance;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import tools.jackson.databind.json.JsonMapper;

import dev.ferry.support.MockUpstreams;

/**
 * Google's OAuth token endpoint for a service account (RFC 7523: a form with
 * {@code grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer} and a signed JWT
 * {@code assertion}), on a server of its own, with the key file that points at it: a
 * service account key with a freshly made RSA key and {@code token_uri} set here, as
 * google-auth honours it. Tokens are {@code ya29.replica-<n>}, valid for a lifetime the
 * test can shorten.
 */
final class GoogleTokenServer extends Dispatcher {

	private final JsonMapper mapper = JsonMapper.builder().build();

	private final MockWebServer server = MockUpstreams.started();

	private final Set<String> issued = ConcurrentHashMap.newKeySet();

	private final AtomicInteger count = new AtomicInteger();

	private volatile int lifetimeSeconds = 3600;

	private final Path keyFile;

	GoogleTokenServer() {
		this.server.setDispatcher(this);
		this.keyFile = writeKeyFile();
	}

	/** The service account key file, whose {@code token_uri} is this server. */
	Path keyFile() {
		return this.keyFile;
	}

	/** How many tokens were issued. */
	int issued() {
		return this.count.get();
	}

	/** Whether a bearer value is a token this server issued. */
	boolean valid(String authorization) {
		return authorization != null && authorization.startsWith("Bearer ")
				&& this.issued.contains(authorization.substring("Bearer ".length()));
	}

	/** The token the server issued last. */
	String latest() {
		return "ya29.replica-" + this.count.get();
	}

	/**
	 * Sets how long the next tokens are valid for.
	 * @param seconds their {@code expires_in}
	 */
	void lifetime(int seconds) {
		this.lifetimeSeconds = seconds;
	}

	@Override
	public MockResponse dispatch(RecordedRequest request) {
		String form = request.getBody().utf8();
		String assertion = form.replaceFirst(".*assertion=([^&]*).*", "$1");
		if (!request.getUrl().encodedPath().equals("/token")
				|| !form.contains("grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer")
				|| assertion.split("\\.").length != 3) {
			return new MockResponse.Builder().code(400)
				.addHeader("Content-Type", "application/json")
				.body("{\"error\":\"invalid_grant\",\"error_description\":\"not a JWT bearer grant: " + form + "\"}")
				.build();
		}
		String token = "ya29.replica-" + this.count.incrementAndGet();
		this.issued.add(token);
		return new MockResponse.Builder().code(200)
			.addHeader("Content-Type", "application/json")
			.body(this.mapper.createObjectNode()
				.put("access_token", token)
				.put("expires_in", this.lifetimeSeconds)
				.put("token_type", "Bearer")
				.toString())
			.build();
	}

	private Path writeKeyFile() {
		try {
			KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
			generator.initialize(2048);
			KeyPair pair = generator.generateKeyPair();
			String pem = "-----BEGIN PRIVATE KEY-----\n"
					+ Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
						.encodeToString(pair.getPrivate().getEncoded())
					+ "\n-----END PRIVATE KEY-----\n";
			String json = this.mapper.createObjectNode()
				.put("type", "service_account")
				.put("project_id", "ferry-test")
				.put("private_key_id", "replica-key")
				.put("private_key", pem)
				.put("client_email", "ferry@ferry-test.iam.gserviceaccount.com")
				.put("client_id", "1234567890")
				.put("token_uri", this.server.url("/token").toString())
				.toString();
			Path file = Files.createTempFile("ferry-service-account", ".json");
			Files.writeString(file, json);
			return file;
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException(ex);
		}
	}

}
