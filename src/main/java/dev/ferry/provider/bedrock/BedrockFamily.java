package dev.ferry.provider.bedrock;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;

import org.jspecify.annotations.Nullable;

import reactor.core.scheduler.Schedulers;
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
import software.amazon.awssdk.services.bedrock.BedrockAsyncClient;
import software.amazon.awssdk.services.bedrock.BedrockAsyncClientBuilder;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.S3AsyncClientBuilder;
import tools.jackson.databind.json.JsonMapper;

import dev.ferry.batch.ProviderDescriptor;
import dev.ferry.batch.SyncUpstream;
import dev.ferry.config.ProviderProperties;
import dev.ferry.provider.bedrock.BedrockApi.S3Location;
import dev.ferry.provider.jobs.JobApi;
import dev.ferry.provider.jobs.JobClient;
import dev.ferry.provider.jobs.JobFamily;
import dev.ferry.provider.jobs.JobProviders;
import dev.ferry.upstream.UpstreamClients;

import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.client.WebClient;

/**
 * The {@code bedrock} family: AWS Bedrock batch inference, with its input and output in
 * S3, run under an IAM role Bedrock assumes, signed with SigV4 by the AWS SDK from the
 * default credentials chain (IRSA, the environment, the instance role) or a configured
 * key.
 */
@Component
class BedrockFamily extends JobFamily {

	/** Stands for "the region's own endpoint": the SDK finds it from the region. */
	private static final URI REGIONAL = URI.create("https://bedrock.amazonaws.com");

	static final ProviderDescriptor DESCRIPTOR = ProviderDescriptor.builder("bedrock")
		.format(ProviderDescriptor.Format.BEDROCK)
		.filesApi(false)
		.endpoints(BedrockRecords.CHAT, BedrockRecords.MESSAGES, BedrockRecords.EMBEDDINGS)
		.build();

	private final WebClient.Builder builder;

	private final JsonMapper mapper;

	BedrockFamily(JobProviders providers, WebClient.Builder builder, JsonMapper mapper) {
		super(DESCRIPTOR, REGIONAL, null, providers);
		this.builder = builder;
		this.mapper = mapper;
	}

	@Override
	protected ProviderProperties resolve(String name, ProviderProperties properties) {
		require(name, "role-arn", properties.roleArn(), "the IAM role Bedrock assumes to read and write S3");
		require(name, "input-s3-uri", properties.inputS3Uri(), "the s3://bucket/prefix/ batch input is written under");
		require(name, "output-s3-uri", properties.outputS3Uri(),
				"the s3://bucket/prefix/ Bedrock writes results under");
		for (String uri : new String[] { properties.inputS3Uri(), properties.outputS3Uri() }) {
			if (!uri.startsWith("s3://") || uri.length() <= "s3://".length()) {
				throw new IllegalStateException("ferry.providers." + name + ": '" + uri + "' is not an s3:// URI");
			}
		}
		return properties;
	}

	@Override
	protected JobApi wire(String name, ProviderProperties properties, JobClient client, JsonMapper mapper,
			int maxLineBytes) {
		SdkAsyncHttpClient http = NettyNioAsyncHttpClient.builder()
			.maxConcurrency(properties.maxConnections())
			.connectionTimeout(properties.connectTimeout())
			.readTimeout(Duration.ofSeconds(120))
			.build();
		Region region = region(properties);
		AwsCredentialsProvider credentials = credentials(properties);
		// The SDK retries nothing: a repeated read is the poller's to make, and a
		// repeated create would rely on the client request token alone.
		BedrockAsyncClientBuilder bedrock = BedrockAsyncClient.builder()
			.httpClient(http)
			.region(region)
			.credentialsProvider(credentials)
			.overrideConfiguration((config) -> config
				.retryStrategy(software.amazon.awssdk.awscore.retry.AwsRetryStrategy.doNotRetry()));
		if (properties.baseUrl() != null && !REGIONAL.equals(properties.baseUrl())) {
			bedrock.endpointOverride(properties.baseUrl());
		}
		S3AsyncClientBuilder s3 = S3AsyncClient.builder()
			.httpClient(http)
			.region(region)
			.credentialsProvider(credentials)
			.forcePathStyle(properties.s3PathStyleAccess())
			.requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
			.responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED);
		if (properties.s3Endpoint() != null && !properties.s3Endpoint().isBlank()) {
			s3.endpointOverride(URI.create(properties.s3Endpoint()));
		}
		return new BedrockApi(bedrock.build(), s3.build(), Schedulers.boundedElastic(), mapper, maxLineBytes,
				new BedrockApi.Settings(properties.roleArn(), S3Location.parse(properties.inputS3Uri()),
						S3Location.parse(properties.outputS3Uri()), properties.minRecords(),
						properties.defaultMaxTokens()));
	}

	/**
	 * With {@code small-batches: executed}, Bedrock's runtime, which Ferry runs the
	 * batches below {@code min-records} against.
	 */
	@Override
	protected @Nullable SyncUpstream smallBatches(String name, ProviderProperties properties) {
		if (properties.smallBatches() != ProviderProperties.SmallBatches.EXECUTED) {
			return null;
		}
		Region region = region(properties);
		URI endpoint = (properties.runtimeEndpoint() != null) ? properties.runtimeEndpoint()
				: BedrockRuntime.regional(region.id());
		WebClient client = UpstreamClients.create(name + "-runtime", properties.withBaseUrl(endpoint), this.builder);
		return new BedrockRuntime(client, endpoint, credentials(properties), region.id(), Schedulers.boundedElastic(),
				new BedrockRecords(this.mapper, properties.defaultMaxTokens()), this.mapper, Clock.systemUTC());
	}

	private static Region region(ProviderProperties properties) {
		if (properties.region() != null && !properties.region().isBlank()) {
			return Region.of(properties.region());
		}
		try {
			return new DefaultAwsRegionProviderChain().getRegion();
		}
		catch (RuntimeException ex) {
			return Region.US_EAST_1;
		}
	}

	private static AwsCredentialsProvider credentials(ProviderProperties properties) {
		if (properties.accessKeyId() != null && properties.secretAccessKey() != null) {
			return StaticCredentialsProvider
				.create(AwsBasicCredentials.create(properties.accessKeyId(), properties.secretAccessKey()));
		}
		return DefaultCredentialsProvider.builder().build();
	}

}
