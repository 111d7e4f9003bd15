package dev.ferry.dialect.unified;

import org.junit.jupiter.api.AfterAll;

import dev.ferry.support.S3Server;

import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Paged results again with their spools in S3 (s3proxy in this JVM): segments, leases and
 * completion indexes as objects.
 */
class UnifiedResultsOnS3IntegrationTests extends UnifiedResultsIntegrationTests {

	private static final String BUCKET = "results";

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
