package dev.ferry.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * Ferry's configuration, under the {@code ferry} prefix.
 *
 * @param providers the upstream providers by name; the name is what callers use to pick
 * one
 * @param files limits on files passing through Ferry
 * @param storage where Ferry keeps the bytes it holds itself
 * @param results how batch results are paged
 * @param auth who may spend the configured provider keys
 * @param idempotency how long {@code Idempotency-Key}s of creates are remembered
 * @param quotas the limits on what each team and each gateway key may create
 * @param pricing prices by provider and model, for the cost of the batches Ferry records
 * @param webhooks where Ferry announces that the batches it created have ended
 * @param usage whether the usage of ended batches is recorded
 * @param defaultProvider the provider of the OpenAI dialect when a request names none;
 * when unset, {@code openai} if it has a key configured, else {@code sandbox}
 */
@Validated
@ConfigurationProperties("ferry")
public record FerryProperties(@NotEmpty Map<String, @Valid ProviderProperties> providers,
		@DefaultValue @Valid Files files, @DefaultValue @Valid Storage storage, @DefaultValue @Valid Results results,
		@DefaultValue @Valid Auth auth, @DefaultValue @Valid Idempotency idempotency,
		@DefaultValue @Valid Quotas quotas, @DefaultValue Map<String, Map<String, @Valid Price>> pricing,
		@DefaultValue @Valid Webhooks webhooks, @DefaultValue @Valid Usage usage, @DefaultValue @Valid WarmUp warmUp,
		@DefaultValue Console console, @Nullable String defaultProvider) {

	/**
	 * The batch console at {@code /console}.
	 *
	 * @param enabled whether Ferry serves it; it needs gateway keys to sign in with
	 */
	public record Console(@DefaultValue("false") boolean enabled) {
	}

	/**
	 * The warm-up each replica runs before it reports ready (see {@code WarmUp}).
	 *
	 * @param enabled whether it runs
	 * @param duration how long it runs; readiness waits that much longer
	 * @param concurrency the rounds of calls in flight at once
	 */
	public record WarmUp(@DefaultValue("true") boolean enabled, @DefaultValue("10s") Duration duration,
			@DefaultValue("4") @Min(1) @Max(64) int concurrency) {
	}

	/**
	 * Usage recording.
	 *
	 * @param enabled whether Ferry reads the results of each ended batch of a gateway key
	 * once, to record what it used
	 */
	public record Usage(@DefaultValue("true") boolean enabled) {
	}

	/**
	 * Completion webhooks: an event to each endpoint when a batch Ferry created ends.
	 *
	 * @param endpoints where events go
	 * @param allowPrivateTargets whether endpoints may be on loopback, link-local or
	 * private addresses (refused at start-up otherwise)
	 * @param pollInterval how often each replica looks for due watches and deliveries;
	 * also the shortest interval between two reads of a young batch
	 * @param firstRetry the wait before a failed delivery's second attempt, doubled after
	 * each failure
	 * @param giveUpAfter how long a delivery is attempted before it is given up
	 */
	public record Webhooks(@DefaultValue List<@Valid Endpoint> endpoints,
			@DefaultValue("false") boolean allowPrivateTargets, @DefaultValue("1s") Duration pollInterval,
			@DefaultValue("5s") Duration firstRetry, @DefaultValue("24h") Duration giveUpAfter) {
	}

	/**
	 * One webhook endpoint.
	 *
	 * @param url where events are posted
	 * @param secret the signing secret, {@code whsec_} and its base64 bytes (Standard
	 * Webhooks)
	 * @param teams the teams whose batches it hears of; all when empty
	 */
	public record Endpoint(@NotNull java.net.URI url, @NotEmpty String secret, @DefaultValue List<String> teams) {
	}

	/**
	 * A model's prices, in US dollars per million tokens, as the provider lists them for
	 * synchronous calls; its batch discount then applies.
	 *
	 * @param inputPerMtok input tokens
	 * @param outputPerMtok output tokens
	 * @param cachedInputPerMtok input tokens read from the provider's cache; when unset,
	 * the input price
	 * @param batchDiscountPercent the provider's discount on batches (50 for most); 0
	 * where the prices entered are batch prices already
	 */
	public record Price(@DefaultValue("0") @Min(0) double inputPerMtok, @DefaultValue("0") @Min(0) double outputPerMtok,
			@Nullable Double cachedInputPerMtok,
			@DefaultValue("50") @Min(0) @jakarta.validation.constraints.Max(100) int batchDiscountPercent) {
	}

	/**
	 * Limits on what gateway keys create, by team and by key; a create must stay within
	 * both its team's and its key's.
	 *
	 * @param teams limits by team name
	 * @param keys limits by gateway key name
	 */
	public record Quotas(@DefaultValue Map<String, @Valid Limits> teams,
			@DefaultValue Map<String, @Valid Limits> keys) {
	}

	/**
	 * One team's or key's limits; each unset one is no limit.
	 *
	 * @param batchesInFlight the most batches not yet ended at once
	 * @param requestsPerBatch the most requests in one batch
	 * @param requestsPerDay the most requests in the batches created in one UTC day
	 */
	public record Limits(@Nullable @Min(1) Integer batchesInFlight, @Nullable @Min(1) Long requestsPerBatch,
			@Nullable @Min(1) Long requestsPerDay) {
	}

	/**
	 * Limits on files and request bodies.
	 *
	 * @param maxUploadSize the largest file accepted by {@code POST /files}
	 * @param maxRequestBody the largest JSON body accepted by a create call (inline
	 * requests travel in it)
	 * @param maxLineSize the longest JSONL line Ferry reads or writes
	 */
	public record Files(@DefaultValue("512MB") DataSize maxUploadSize, @DefaultValue("64MB") DataSize maxRequestBody,
			@DefaultValue("32MB") DataSize maxLineSize) {
	}

	/**
	 * Where Ferry keeps its state: everything a follow-up call on another replica needs.
	 *
	 * @param type {@code local} (a directory, the single-node default) or {@code s3} (any
	 * S3-compatible object store, for several replicas)
	 * @param path the directory of the local store
	 * @param s3 the S3 store
	 */
	public record Storage(@DefaultValue("local") StorageType type, @NotNull Path path, @DefaultValue @Valid S3 s3) {
	}

	/** The kinds of blob store. */
	public enum StorageType {

		/** A directory on this replica's disk. */
		LOCAL,

		/** An S3-compatible bucket shared by every replica. */
		S3

	}

	/**
	 * The S3 store. Credentials come from the static key pair when both are set, else
	 * from the AWS default chain (environment, web identity for EKS IRSA, Pod Identity,
	 * profile, instance role).
	 *
	 * @param bucket the bucket; required
	 * @param prefix a key prefix for everything Ferry writes, such as {@code ferry/}
	 * @param region the region; when unset, the AWS default region chain, else
	 * {@code us-east-1}
	 * @param endpoint the endpoint of an S3-compatible store (MinIO, Ceph, R2); unset for
	 * AWS
	 * @param pathStyleAccess address the bucket in the path rather than the host name, as
	 * most self-hosted stores need
	 * @param accessKeyId a static access key id
	 * @param secretAccessKey its secret
	 */
	public record S3(@Nullable String bucket, @DefaultValue("") String prefix, @Nullable String region,
			@Nullable String endpoint, @DefaultValue("false") boolean pathStyleAccess, @Nullable String accessKeyId,
			@Nullable String secretAccessKey) {
	}

	/**
	 * Paged results.
	 *
	 * @param cursorSecret the key results cursors are signed with; every replica must
	 * share it. When unset, the first replica draws one at random and keeps it in the
	 * blob store, where every replica sharing the store reads it
	 * @param spool the per-replica cache of downloaded results
	 */
	public record Results(@Nullable String cursorSecret, @DefaultValue @Valid Spool spool) {
	}

	/**
	 * The result spool: each batch's results are downloaded once for the whole cluster
	 * into segments in the blob store, and pages are read from them by byte offset.
	 *
	 * @param segmentSize the size of a segment: memory per download in progress, and the
	 * unit a reader on another replica waits for while a download goes on
	 * @param leaseDuration how long the downloading replica's lease may go unrenewed
	 * before another replica takes the download over
	 * @param pollInterval how often a reader waiting for another replica's next segment
	 * looks for it
	 * @param ttl how long a complete spool is kept after it completed
	 * @param maxSize the storage budget of all complete spools; the oldest are evicted
	 * beyond it
	 * @param sweepInterval how often expired spools are looked for
	 * @param idleTimeout how long a download may go without receiving a byte before it is
	 * given up, failing its readers with a 502
	 * @param cacheSize the memory a replica keeps the segments it read lately in, so the
	 * pages of a segment cost one read from the store; 0 turns the cache off. When unset,
	 * 32 MB with the S3 store and 0 with the local one, whose reads the operating system
	 * caches already
	 */
	public record Spool(@DefaultValue("4MB") DataSize segmentSize, @DefaultValue("30s") Duration leaseDuration,
			@DefaultValue("250ms") Duration pollInterval, @DefaultValue("1h") Duration ttl,
			@DefaultValue("10GB") DataSize maxSize, @DefaultValue("1m") Duration sweepInterval,
			@DefaultValue("1m") Duration idleTimeout, @Nullable DataSize cacheSize) {
	}

	/**
	 * Idempotent creates: a create sent with an {@code Idempotency-Key} is recorded in
	 * the blob store, so a retry of it, on any replica sharing the store or after a
	 * restart, returns the first outcome instead of creating a second batch.
	 *
	 * @param ttl how long a key is remembered after its first use
	 * @param inFlightTimeout how long a create may take before a record still marked as
	 * under way is taken as interrupted (its outcome unknown)
	 * @param sweepInterval how often expired records are deleted
	 */
	public record Idempotency(@DefaultValue("24h") Duration ttl, @DefaultValue("10m") Duration inFlightTimeout,
			@DefaultValue("1h") Duration sweepInterval) {
	}

	/**
	 * Gateway keys: a request presenting one uses the provider keys from configuration;
	 * any other request is forwarded with the caller's own provider credentials.
	 *
	 * @param keys the gateway keys
	 */
	public record Auth(@DefaultValue List<@Valid GatewayKey> keys) {
	}

	/**
	 * One gateway key.
	 *
	 * @param name who holds it, for logs and metrics
	 * @param key the key itself, starting with {@code ferry-}
	 * @param keySha256 the key's SHA-256 in hex, in place of {@code key}, so that the
	 * configuration holds no usable secret
	 * @param providers the providers it may use; all when empty
	 * @param team the team its batches and files belong to, which no other team sees;
	 * when unset, the key's name
	 * @param admin whether it sees every team's batches and files
	 */
	public record GatewayKey(@NotEmpty String name, @Nullable String key, @Nullable String keySha256,
			@DefaultValue List<String> providers, @Nullable String team, @DefaultValue("false") boolean admin) {

		/**
		 * The team the key belongs to.
		 * @return the configured team, else the key's name
		 */
		public String teamName() {
			return (this.team != null && !this.team.isBlank()) ? this.team : this.name;
		}

	}

}
