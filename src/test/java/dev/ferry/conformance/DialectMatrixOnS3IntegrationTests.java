package dev.ferry.conformance;

import dev.ferry.support.S3Server;

import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The dialect matrix again with Ferry's state in S3 (s3proxy in this JVM): held files,
 * kept batches, custom_id tables, idempotency records, spools and the sandbox behave as
 * they do on the local store.
 */
class DialectMatrixOnS3IntegrationTests extends DialectMatrixIntegrationTests {

	@DynamicPropertySource
	static void storageInS3(DynamicPropertyRegistry registry) {
		S3Server.startFor(registry, "matrix", "matrix/");
	}

}
