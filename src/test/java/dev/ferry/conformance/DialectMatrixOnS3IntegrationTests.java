package dev.ferry.conformance;

import org.junit.jupiter.api.AfterAll;

import dev.ferry.support.S3Server;

import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The dialect matrix again with Ferry's state in S3 (s3proxy in this JVM): held files,
 * kept batches, custom_id tables, idempotency records, spools and the sandbox behave as
 * they do on the local store.
 */
class DialectMatrixOnS3IntegrationTests extends DialectMatrixIntegrationTests {

	private static final String BUCKET = "matrix";

	private static S3Server s3;

	@DynamicPropertySource
	static void storageInS3(DynamicPropertyRegistry registry) {
		s3 = S3Server.start(BUCKET);
		s3.register(registry, BUCKET, "matrix/");
	}

	@AfterAll
	static void stopS3() {
		s3.close();
	}

}
