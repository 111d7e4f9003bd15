package dev.ferry.storage;

import java.net.URI;
import java.time.Duration;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.http.async.SdkAsyncHttpClient;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.regions.providers.DefaultAwsRegionProviderChain;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.S3AsyncClientBuilder;

import dev.ferry.config.FerryProperties;

import org.springframework.util.StringUtils;

/**
 * Builds the S3 store from {@code ferry.storage.s3.*}.
 */
final class S3Stores {

	/** The smallest part S3 accepts, but for the last: memory per upload in flight. */
	private static final long PART_BYTES = 8L * 1024 * 1024;

	private S3Stores() {
	}

	static S3BlobStore create(FerryProperties.S3 settings) {
		if (!StringUtils.hasText(settings.bucket())) {
			throw new IllegalStateException(
					"ferry.storage.s3.bucket: not set (expected: the bucket Ferry keeps its state in, when ferry.storage.type=s3)");
		}
		SdkAsyncHttpClient http = NettyNioAsyncHttpClient.builder()
			.maxConcurrency(256)
			.connectionTimeout(Duration.ofSeconds(5))
			.readTimeout(Duration.ofSeconds(60))
			.build();
		S3AsyncClient plain = builder(settings, http).build();
		S3AsyncClient multipart = builder(settings, http).multipartEnabled(true)
			.multipartConfiguration((parts) -> parts.minimumPartSizeInBytes(PART_BYTES)
				.thresholdInBytes(PART_BYTES)
				.apiCallBufferSizeInBytes(2 * PART_BYTES))
			.build();
		return new S3BlobStore(plain, multipart, http, settings.bucket(), prefix(settings.prefix()));
	}

	private static S3AsyncClientBuilder builder(FerryProperties.S3 settings, SdkAsyncHttpClient http) {
		S3AsyncClientBuilder builder = S3AsyncClient.builder()
			.httpClient(http)
			.region(region(settings))
			.credentialsProvider(credentials(settings))
			.forcePathStyle(settings.pathStyleAccess())
			// S3-compatible stores differ in the checksums they accept: send and check
			// them only where the API requires them.
			.requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
			.responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED);
		if (StringUtils.hasText(settings.endpoint())) {
			builder.endpointOverride(URI.create(settings.endpoint()));
		}
		return builder;
	}

	private static Region region(FerryProperties.S3 settings) {
		if (StringUtils.hasText(settings.region())) {
			return Region.of(settings.region());
		}
		try {
			return new DefaultAwsRegionProviderChain().getRegion();
		}
		catch (RuntimeException ex) {
			return Region.US_EAST_1;
		}
	}

	private static AwsCredentialsProvider credentials(FerryProperties.S3 settings) {
		if (StringUtils.hasText(settings.accessKeyId()) && StringUtils.hasText(settings.secretAccessKey())) {
			return StaticCredentialsProvider
				.create(AwsBasicCredentials.create(settings.accessKeyId(), settings.secretAccessKey()));
		}
		return DefaultCredentialsProvider.builder().build();
	}

	private static String prefix(String prefix) {
		String trimmed = prefix.strip();
		while (trimmed.startsWith("/")) {
			trimmed = trimmed.substring(1);
		}
		return (trimmed.isEmpty() || trimmed.endsWith("/")) ? trimmed : trimmed + "/";
	}

}
