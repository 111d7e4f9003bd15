package dev.ferry.storage;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.s3.model.S3Exception;

import dev.ferry.batch.RandomIds;
import dev.ferry.config.FerryProperties;

/**
 * Checks at start-up that the store can be reached and keeps create-only puts: a probe
 * key is created twice, and the second create must lose. Some proxies and emulators drop
 * the condition silently, which would let two replicas both win every claim.
 */
final class StoreProbe {

	private static final Duration TIMEOUT = Duration.ofSeconds(30);

	private StoreProbe() {
	}

	static void check(BlobStore store, FerryProperties.Storage settings) {
		String key = "probes/" + RandomIds.hex(16);
		byte[] first = ("probe " + key + " first").getBytes(StandardCharsets.UTF_8);
		byte[] second = ("probe " + key + " second").getBytes(StandardCharsets.UTF_8);
		try {
			ConditionalWrite created = store.create(key, first).block(TIMEOUT);
			ConditionalWrite again = store.create(key, second).block(TIMEOUT);
			store.delete(key).block(TIMEOUT);
			if (created == null || !created.won() || again == null || again.won()) {
				throw new IllegalStateException("ferry.storage: the store " + store.describe()
						+ " does not keep create-only puts (a second 'If-None-Match: *' write to " + key
						+ " succeeded); Ferry's claims and leases need them (expected: a store that answers 412 to"
						+ " the second, such as AWS S3, MinIO, Cloudflare R2 or the local store)");
			}
		}
		catch (StorageUnavailableException ex) {
			throw new IllegalStateException(explain(store, settings, ex.getCause()), ex);
		}
	}

	private static String explain(BlobStore store, FerryProperties.Storage settings, Throwable cause) {
		FerryProperties.S3 s3 = settings.s3();
		String where = (s3.endpoint() != null) ? s3.endpoint()
				: "the AWS endpoint of " + ((s3.region() != null) ? "region " + s3.region() : "the default region");
		if (cause instanceof S3Exception refused) {
			String code = (refused.awsErrorDetails() != null) ? refused.awsErrorDetails().errorCode() : null;
			if ("NoSuchBucket".equals(code) || refused.statusCode() == 404) {
				return "ferry.storage.s3.bucket: the bucket '" + s3.bucket() + "' does not exist at " + where
						+ " (expected: an existing bucket Ferry may read and write)";
			}
			if (refused.statusCode() == 403) {
				return "ferry.storage.s3.access-key-id: access to the bucket '" + s3.bucket() + "' at " + where
						+ " was denied (" + refused.getMessage() + "); Ferry needs s3:GetObject, s3:PutObject,"
						+ " s3:DeleteObject and s3:ListBucket";
			}
		}
		if (cause instanceof SdkClientException) {
			return "ferry.storage.s3.endpoint: cannot reach the store at " + where + " (" + cause.getMessage() + ")";
		}
		return "ferry.storage: the store " + store.describe() + " failed its start-up check: "
				+ ((cause != null) ? cause.getMessage() : "no answer");
	}

}
