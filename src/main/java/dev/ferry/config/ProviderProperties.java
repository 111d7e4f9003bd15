package dev.ferry.config;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * One upstream provider, configured under {@code ferry.providers.<name>}.
 *
 * @param type the provider family; when unset, the family named like the provider (so
 * {@code ferry.providers.groq} is a {@code groq} provider)
 * @param baseUrl the upstream base URL; when unset, the family's public one
 * @param apiKey the provider key used for upstream calls
 * @param apiKeys further provider keys, used in turn with {@code apiKey}
 * @param connectTimeout how long to wait for a TCP connection to the upstream
 * @param responseTimeout how long to wait for the upstream's response headers
 * @param maxConnections the size of the upstream connection pool
 * @param pendingAcquireMaxCount how many requests may wait for a pooled connection;
 * beyond it calls are refused at once with a 503 {@code overloaded}
 * @param pendingAcquireTimeout how long a request may wait for a pooled connection before
 * it is refused with a 503 {@code overloaded}
 * @param maxIdleTime how long a pooled connection may sit idle and still be reused; kept
 * below the idle timeouts of providers' load balancers, so that a request is not sent on
 * a connection the far end is closing (a create sent so is not retried)
 * @param retry how idempotent calls are retried
 * @param statusCache how long retrieved batches are served from cache
 * @param processingTime how long a sandbox batch takes from creation to completion
 * @param apiVersion the API version to send, for providers that version their API
 * ({@code anthropic-version} for anthropic, default {@code 2023-06-01})
 * @param defaultMaxTokens the {@code max_tokens} Ferry sets on translated requests that
 * name none, for providers that require it (anthropic)
 * @param deployments deployment names by model name, for providers whose requests name a
 * deployment instead of a model (azure)
 * @param accountId the account the provider's batch API lives under, for providers whose
 * paths name one (fireworks)
 * @param batchMode {@code executed} to have Ferry run the provider's batches itself
 * against its OpenAI-compatible synchronous API, even where it has a batch API of its own
 * (then {@code base-url} names that synchronous API); unset or {@code native} otherwise
 * @param maxConcurrency the most requests in flight to the provider for batches Ferry
 * runs itself, over all replicas
 * @param requestsPerMinute the most requests a minute to the provider for batches Ferry
 * runs itself, over all replicas; 0 for no limit
 * @param tokensPerMinute the most tokens a minute (estimated from each request, corrected
 * from the usage it reports) for batches Ferry runs itself, over all replicas; 0 for no
 * limit
 * @param headroomPercent the share of {@code max-concurrency},
 * {@code requests-per-minute} and {@code tokens-per-minute} that batches Ferry runs leave
 * unused, for interactive traffic on the same account
 * @param project the Google Cloud project batch jobs run in (vertex)
 * @param location the region batch jobs run in, such as {@code us-central1}, or
 * {@code global} (vertex)
 * @param gcsBucket the Cloud Storage bucket batch input and output are staged in (vertex)
 * @param gcsPrefix the key prefix of staged objects in that bucket (vertex)
 * @param credentialsFile a service account key file; when unset, the environment's
 * default credentials (vertex)
 * @param gcsEndpoint Cloud Storage's JSON API endpoint, for private endpoints and tests
 * (vertex)
 * @param region the AWS region jobs run in; when unset, the AWS default region chain
 * (bedrock)
 * @param roleArn the IAM role Bedrock assumes to read the input and write the output
 * (bedrock)
 * @param inputS3Uri the {@code s3://bucket/prefix/} batch input is written under
 * (bedrock)
 * @param outputS3Uri the {@code s3://bucket/prefix/} Bedrock writes results under
 * (bedrock)
 * @param s3Endpoint an S3-compatible endpoint for the input and output, for tests and
 * private endpoints (bedrock)
 * @param s3PathStyleAccess whether that endpoint takes the bucket in the path (bedrock)
 * @param accessKeyId an AWS access key; when unset, the AWS default credentials chain
 * (bedrock)
 * @param secretAccessKey its secret (bedrock)
 * @param minRecords the fewest records Bedrock takes in a job (its quota, 100 for most
 * models) (bedrock)
 * @param smallBatches what becomes of a batch with fewer requests than
 * {@code min-records}: refused (the default), or run by Ferry against the provider's
 * synchronous API (bedrock)
 * @param runtimeEndpoint the endpoint of Bedrock's runtime, which batches Ferry runs
 * call; when unset, the region's (bedrock)
 */
public record ProviderProperties(@Nullable String type, @Nullable URI baseUrl, @Nullable String apiKey,
		@Nullable List<String> apiKeys, @DefaultValue("5s") Duration connectTimeout,
		@DefaultValue("60s") Duration responseTimeout, @DefaultValue("100") @Min(1) @Max(10000) int maxConnections,
		@DefaultValue("1000") @Min(1) int pendingAcquireMaxCount, @DefaultValue("5s") Duration pendingAcquireTimeout,
		@DefaultValue("30s") Duration maxIdleTime, @DefaultValue @Valid Retry retry,
		@DefaultValue @Valid StatusCache statusCache, @DefaultValue("5s") Duration processingTime,
		@Nullable String apiVersion, @DefaultValue("4096") @Min(1) int defaultMaxTokens,
		@DefaultValue Map<String, String> deployments, @Nullable String accountId, @Nullable BatchMode batchMode,
		@DefaultValue("8") @Min(1) @Max(10000) int maxConcurrency, @DefaultValue("0") @Min(0) int requestsPerMinute,
		@DefaultValue("0") @Min(0) long tokensPerMinute, @DefaultValue("0") @Min(0) @Max(90) int headroomPercent,
		@Nullable String project, @DefaultValue("us-central1") String location, @Nullable String gcsBucket,
		@DefaultValue("ferry/") String gcsPrefix, @Nullable String credentialsFile,
		@DefaultValue("https://storage.googleapis.com") URI gcsEndpoint, @Nullable String region,
		@Nullable String roleArn, @Nullable String inputS3Uri, @Nullable String outputS3Uri,
		@Nullable String s3Endpoint, @DefaultValue("false") boolean s3PathStyleAccess, @Nullable String accessKeyId,
		@Nullable String secretAccessKey, @DefaultValue("100") @Min(1) int minRecords,
		@DefaultValue("refuse") SmallBatches smallBatches, @Nullable URI runtimeEndpoint) {

	/** What becomes of a batch below the provider's minimum of requests. */
	public enum SmallBatches {

		/** Refused before anything goes upstream, naming the minimum. */
		REFUSE,

		/** Run by Ferry against the provider's synchronous API. */
		EXECUTED

	}

	/** Who runs a provider's batches. */
	public enum BatchMode {

		/** The provider's own batch API. */
		NATIVE,

		/** Ferry, against the provider's synchronous API. */
		EXECUTED

	}

	/**
	 * Whether Ferry runs this provider's batches itself though its family has a batch
	 * API.
	 * @return true for {@code batch-mode: executed}
	 */
	public boolean executedMode() {
		return this.batchMode == BatchMode.EXECUTED;
	}

	/**
	 * The cache that absorbs polling storms. Concurrent retrieves of one batch share one
	 * upstream call whatever the TTLs; {@code 0s} turns the keeping off.
	 *
	 * @param runningTtl how long a batch that has not ended is served from cache
	 * @param endedTtl how long a batch that has ended (its state can no longer change) is
	 * served from cache
	 * @param maxEntries the most batches kept
	 */
	public record StatusCache(@DefaultValue("1s") Duration runningTtl, @DefaultValue("1h") Duration endedTtl,
			@DefaultValue("10000") @Min(1) int maxEntries) {
	}

	/**
	 * Retries of calls that are safe to repeat (retrieve, list, results, file content,
	 * cancel) after a connect failure or an upstream 429, 502, 503 or 504.
	 *
	 * @param maxAttempts the most attempts of one call, the first included; 1 turns
	 * retries off
	 * @param firstBackoff the wait before the first retry; each further retry waits twice
	 * as long, less a random part of up to half
	 * @param maxBackoff the longest wait; an upstream {@code Retry-After} longer than
	 * this is not waited for but handed to the caller
	 */
	public record Retry(@DefaultValue("3") @Min(1) @Max(10) int maxAttempts,
			@DefaultValue("250ms") Duration firstBackoff, @DefaultValue("10s") Duration maxBackoff) {
	}

	/**
	 * The base URL, which the registry has resolved for every provider that calls an
	 * upstream.
	 * @param name the provider name, for the error message
	 * @return the base URL
	 * @throws IllegalStateException when none is configured
	 */
	public URI requiredBaseUrl(String name) {
		if (this.baseUrl == null) {
			throw new IllegalStateException("ferry.providers." + name + ".base-url must be set");
		}
		return this.baseUrl;
	}

	/**
	 * These settings with a base URL.
	 * @param url the base URL
	 * @return a copy with {@code url} as its base URL
	 */
	public ProviderProperties withBaseUrl(URI url) {
		return new ProviderProperties(this.type, url, this.apiKey, this.apiKeys, this.connectTimeout,
				this.responseTimeout, this.maxConnections, this.pendingAcquireMaxCount, this.pendingAcquireTimeout,
				this.maxIdleTime, this.retry, this.statusCache, this.processingTime, this.apiVersion,
				this.defaultMaxTokens, this.deployments, this.accountId, this.batchMode, this.maxConcurrency,
				this.requestsPerMinute, this.tokensPerMinute, this.headroomPercent, this.project, this.location,
				this.gcsBucket, this.gcsPrefix, this.credentialsFile, this.gcsEndpoint, this.region, this.roleArn,
				this.inputS3Uri, this.outputS3Uri, this.s3Endpoint, this.s3PathStyleAccess, this.accessKeyId,
				this.secretAccessKey, this.minRecords, this.smallBatches, this.runtimeEndpoint);
	}

	/**
	 * Every non-blank key configured for this provider, {@code api-key} first.
	 * @return the keys, possibly empty
	 */
	public List<String> keys() {
		List<String> keys = new ArrayList<>();
		if (this.apiKey != null && !this.apiKey.isBlank()) {
			keys.add(this.apiKey);
		}
		if (this.apiKeys != null) {
			this.apiKeys.stream().filter((key) -> key != null && !key.isBlank()).forEach(keys::add);
		}
		return List.copyOf(keys);
	}

}
