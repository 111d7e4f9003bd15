package dev.ferry.provider.anthropic;

import java.net.URI;
import java.util.Optional;
import java.util.function.Consumer;

import io.micrometer.core.instrument.MeterRegistry;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import dev.ferry.auth.CallerHeaders;
import dev.ferry.auth.KeyRotation;
import dev.ferry.batch.ApiError;
import dev.ferry.config.ProviderProperties;
import dev.ferry.upstream.BatchStatusCache;
import dev.ferry.upstream.UpstreamRetries;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.BodyInserters;
import org.springframework.web.reactive.function.client.WebClient;

/**
 * Anthropic's Message Batches endpoints, over one provider's pooled client, with bodies
 * in Anthropic's own format: what the Anthropic dialect passes through and what the
 * provider builds on.
 */
public final class AnthropicClient {

	/**
	 * WebClient's request attribute naming the URI template that metrics tag requests
	 * with.
	 */
	private static final String URI_TEMPLATE_ATTRIBUTE = WebClient.class.getName() + ".uriTemplate";

	static final String DEFAULT_VERSION = "2023-06-01";

	private final String name;

	private final URI baseUrl;

	private final WebClient client;

	private final KeyRotation keys;

	private final String apiVersion;

	private final JsonMapper mapper;

	private final AnthropicUpstreamErrors errors;

	private final UpstreamRetries retries;

	private final BatchStatusCache<KeptBatch> statuses;

	AnthropicClient(String name, WebClient client, ProviderProperties properties, JsonMapper mapper,
			MeterRegistry meters) {
		this.name = name;
		this.baseUrl = properties.requiredBaseUrl(name);
		this.client = client;
		this.keys = new KeyRotation(properties.keys());
		this.apiVersion = (properties.apiVersion() != null) ? properties.apiVersion() : DEFAULT_VERSION;
		this.mapper = mapper;
		this.errors = new AnthropicUpstreamErrors(name, mapper);
		this.retries = new UpstreamRetries(name, properties.retry());
		this.statuses = new BatchStatusCache<>(properties.statusCache(), BatchStatusCache.Counters.of(meters, name),
				(batch) -> new KeptBatch(mapper.writeValueAsBytes(batch),
						"ended".equals(AnthropicWire.text(batch, "processing_status"))),
				KeptBatch::ended);
	}

	/**
	 * Creates a batch from a body already in Anthropic's format, untouched.
	 * @param body the create body
	 * @return the upstream's MessageBatch
	 */
	public Mono<JsonNode> create(JsonNode body) {
		Mono<JsonNode> create = json(this.client.post()
			.uri("/v1/messages/batches")
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(this.mapper.writeValueAsBytes(body)), null);
		return this.retries.creating(create);
	}

	/**
	 * Creates a batch from a body streamed as it is built, so a large batch is never held
	 * whole. Never retried: the body is produced once.
	 * @param body the create body's bytes
	 * @param length the exact number of bytes, sent as {@code Content-Length}
	 * @param version the {@code anthropic-version} this batch needs, if it needs one
	 * @return the upstream's MessageBatch
	 */
	Mono<JsonNode> create(Flux<DataBuffer> body, long length, @Nullable String version) {
		return json(this.client.post()
			.uri("/v1/messages/batches")
			.contentType(MediaType.APPLICATION_JSON)
			.contentLength(length)
			.body(BodyInserters.fromDataBuffers(body)), version);
	}

	/**
	 * A batch, shared with concurrent callers and cached as its state allows.
	 * @param batchId the batch id
	 * @return the upstream's MessageBatch, the caller's own copy
	 */
	public Mono<JsonNode> retrieve(String batchId) {
		return this.statuses.get(batchId, () -> read(this.client.get().uri("/v1/messages/batches/{id}", batchId)))
			.map((kept) -> this.mapper.readTree(kept.json()));
	}

	/**
	 * Lists batches as Anthropic does.
	 * @param limit the page size
	 * @param afterId the id after which the page starts
	 * @param beforeId the id before which the page ends
	 * @return the upstream's page
	 */
	public Mono<JsonNode> list(int limit, @Nullable String afterId, @Nullable String beforeId) {
		return read(this.client.get()
			.uri((uri) -> uri.path("/v1/messages/batches")
				.queryParam("limit", limit)
				.queryParamIfPresent("after_id", Optional.ofNullable(afterId))
				.queryParamIfPresent("before_id", Optional.ofNullable(beforeId))
				.build()));
	}

	public Mono<JsonNode> cancel(String batchId) {
		return this.statuses.changing(batchId,
				read(this.client.post().uri("/v1/messages/batches/{id}/cancel", batchId)));
	}

	public Mono<JsonNode> delete(String batchId) {
		return this.statuses.changing(batchId,
				json(this.client.delete().uri("/v1/messages/batches/{id}", batchId), null));
	}

	/**
	 * Streams a batch's results from its {@code results_url}, which is followed only on
	 * the provider's own origin.
	 * @param resultsUrl the batch's results URL
	 * @return the JSONL bytes
	 */
	Flux<DataBuffer> results(String resultsUrl) {
		return openResults(resultsUrl).flatMapMany((body) -> body);
	}

	/**
	 * Opens a batch's results: completes once the upstream has answered with a success,
	 * so that a refused URL or an upstream error can still be answered as an error rather
	 * than as a broken download.
	 * @param resultsUrl the batch's results URL, followed only on the provider's own
	 * origin
	 * @return the JSONL bytes, to be streamed
	 */
	public Mono<Flux<DataBuffer>> openResults(String resultsUrl) {
		URI url = URI.create(resultsUrl);
		if (!sameOrigin(url, this.baseUrl)) {
			return Mono.error(new ApiError(502, "api_error", "foreign_results_url",
					"provider '" + this.name + "' gave a results_url outside its own origin; Ferry does not follow it",
					null, this.name));
		}
		// Retried only until the response headers arrive: once bytes flow a repeat would
		// duplicate them, so a later failure fails the stream instead.
		return this.retries.idempotent(headers(null).flatMap((headers) -> this.client.get()
			.uri(url)
			// One metrics series for every batch's results, not one per URL.
			.attribute(URI_TEMPLATE_ATTRIBUTE, "{results_url}")
			.headers(headers)
			.accept(MediaType.ALL)
			.retrieve()
			.onStatus(HttpStatusCode::isError, this.errors::toError)
			.toEntityFlux(DataBuffer.class)))
			.map((entity) -> (entity.getBody() != null) ? entity.getBody() : Flux.<DataBuffer>empty());
	}

	private static boolean sameOrigin(URI url, URI base) {
		return url.getScheme() != null && url.getScheme().equalsIgnoreCase(base.getScheme()) && url.getHost() != null
				&& url.getHost().equalsIgnoreCase(base.getHost()) && url.getPort() == base.getPort();
	}

	/** A call that is safe to repeat, retried by the provider's policy. */
	private Mono<JsonNode> read(WebClient.RequestHeadersSpec<?> request) {
		return this.retries.idempotent(json(request, null));
	}

	private Mono<JsonNode> json(WebClient.RequestHeadersSpec<?> request, @Nullable String version) {
		return headers(version).flatMap((headers) -> request.headers(headers)
			.accept(MediaType.APPLICATION_JSON)
			.retrieve()
			.onStatus(HttpStatusCode::isError, this.errors::toError)
			.bodyToMono(byte[].class)
			.map(this.mapper::readTree));
	}

	/**
	 * Anthropic's headers: for a caller with a gateway key, the configured keys in turn
	 * as {@code x-api-key}; for anyone else, their own key, never the configured ones.
	 * The caller's {@code anthropic-version} (unless the batch needs a particular one)
	 * and {@code anthropic-beta} pass through.
	 */
	private Mono<Consumer<HttpHeaders>> headers(@Nullable String version) {
		return CallerHeaders.current().flatMap((caller) -> {
			String key = (caller.gateway() != null) ? this.keys.next() : caller.ownKey().orElse(null);
			if (key == null && caller.gateway() == null) {
				return Mono.error(CallerHeaders.missingCredentials(this.name));
			}
			return Mono.just((headers) -> {
				if (key != null) {
					headers.set("x-api-key", key);
				}
				headers.set("anthropic-version",
						(version != null) ? version : caller.get("anthropic-version").orElse(this.apiVersion));
				caller.get("anthropic-beta").ifPresent((value) -> headers.set("anthropic-beta", value));
			});
		});
	}

	/**
	 * The version sent when nothing asks for another.
	 * @return the configured {@code api-version}
	 */
	String apiVersion() {
		return this.apiVersion;
	}

	/**
	 * A MessageBatch as a status cache keeps it: its JSON, read into a new tree for each
	 * caller, who may change it.
	 */
	private record KeptBatch(byte[] json, boolean ended) {
	}

}
