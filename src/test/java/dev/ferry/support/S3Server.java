package dev.ferry.support;

import java.net.URI;
import java.util.List;

import org.gaul.s3proxy.junit.S3ProxyJunitCore;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3AsyncClient;

import org.springframework.test.context.DynamicPropertyRegistry;

/**
 * A real S3 implementation in this JVM: s3proxy on its in-memory NIO backend, which keeps
 * create-only puts atomically (its compare-and-swap does not hold under concurrent
 * writers, so no test races it there).
 */
public final class S3Server implements AutoCloseable {

	private final S3ProxyJunitCore proxy;

	private S3Server(S3ProxyJunitCore proxy) {
		this.proxy = proxy;
	}

	/**
	 * Starts a server with one bucket.
	 * @param bucket the bucket to create
	 * @return the running server
	 */
	public static S3Server start(String bucket) {
		S3ProxyJunitCore proxy = new S3ProxyJunitCore.Builder().withBlobStoreProvider("transient-nio2")
			.withCredentials("ferry-test-access", "ferry-test-secret")
			.ignoreUnknownHeaders()
			.build();
		try {
			proxy.beforeEach();
		}
		catch (Exception ex) {
			throw new IllegalStateException("s3proxy did not start", ex);
		}
		S3Server server = new S3Server(proxy);
		try (S3AsyncClient client = server.client()) {
			client.createBucket((create) -> create.bucket(bucket)).join();
		}
		return server;
	}

	public URI endpoint() {
		return this.proxy.getUri();
	}

	public String accessKey() {
		return this.proxy.getAccessKey();
	}

	public String secretKey() {
		return this.proxy.getSecretKey();
	}

	/**
	 * The settings that point Ferry's S3 store at this server.
	 * @param bucket the bucket
	 * @param prefix the key prefix
	 * @return {@code --ferry.storage.*} arguments
	 */
	public List<String> ferryArguments(String bucket, String prefix) {
		return List.of("--ferry.storage.type=s3", "--ferry.storage.s3.bucket=" + bucket,
				"--ferry.storage.s3.prefix=" + prefix, "--ferry.storage.s3.endpoint=" + endpoint(),
				"--ferry.storage.s3.region=us-east-1", "--ferry.storage.s3.path-style-access=true",
				"--ferry.storage.s3.access-key-id=" + accessKey(),
				"--ferry.storage.s3.secret-access-key=" + secretKey());
	}

	/**
	 * Starts a server for a test context's Ferry and points it there; the server runs
	 * until the test JVM exits, as the cached context may.
	 * @param registry the test's properties
	 * @param bucket the bucket
	 * @param prefix the key prefix
	 */
	public static void startFor(DynamicPropertyRegistry registry, String bucket, String prefix) {
		S3Server server = start(bucket);
		Runtime.getRuntime().addShutdownHook(new Thread(server::close));
		server.register(registry, bucket, prefix);
	}

	/**
	 * Points a test context's Ferry at this server.
	 * @param registry the test's properties
	 * @param bucket the bucket
	 * @param prefix the key prefix
	 */
	public void register(DynamicPropertyRegistry registry, String bucket, String prefix) {
		for (String argument : ferryArguments(bucket, prefix)) {
			String[] setting = argument.substring("--".length()).split("=", 2);
			registry.add(setting[0], () -> setting[1]);
		}
	}

	/**
	 * A client of this server, for a test's own checks.
	 * @return a client the caller closes
	 */
	public S3AsyncClient client() {
		return S3AsyncClient.builder()
			.endpointOverride(endpoint())
			.region(Region.US_EAST_1)
			.forcePathStyle(true)
			.credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(accessKey(), secretKey())))
			.build();
	}

	@Override
	public void close() {
		this.proxy.afterEach();
	}

}
