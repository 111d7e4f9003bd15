package dev.ferry.idempotency;

import org.junit.jupiter.api.AfterAll;

import dev.ferry.support.S3Server;

import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Idempotent creates again with their records in S3 (s3proxy in this JVM): claims by
 * {@code If-None-Match: *}, outcomes by {@code If-Match}.
 */
class IdempotentCreatesOnS3IntegrationTests extends IdempotentCreatesIntegrationTests {

	private static final String BUCKET = "idempotency";

	private static S3Server s3;

	@DynamicPropertySource
	static void storageInS3(DynamicPropertyRegistry registry) {
		s3 = S3Server.start(BUCKET);
		s3.register(registry, BUCKET, "");
	}

	@AfterAll
	static void stopS3() {
		s3.close();
	}

}
