package dev.ferry.idempotency;

import dev.ferry.support.S3Server;

import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Idempotent creates again with their records in S3 (s3proxy in this JVM): claims by
 * {@code If-None-Match: *}, outcomes by {@code If-Match}.
 */
class IdempotentCreatesOnS3IntegrationTests extends IdempotentCreatesIntegrationTests {

	@DynamicPropertySource
	static void storageInS3(DynamicPropertyRegistry registry) {
		S3Server.startFor(registry, "idempotency", "");
	}

}
