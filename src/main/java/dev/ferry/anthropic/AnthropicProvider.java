package dev.ferry.anthropic;

import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.regex.Pattern;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import dev.ferry.batch.Batch;
import dev.ferry.batch.BatchMetadataStore;
import dev.ferry.batch.BatchPage;
import dev.ferry.batch.BatchProvider;
import dev.ferry.batch.CreateBatch;
import dev.ferry.batch.FileContent;
import dev.ferry.batch.FileDeleted;
import dev.ferry.batch.FileObject;
import dev.ferry.batch.FilePage;
import dev.ferry.batch.InlineBatch;
import dev.ferry.batch.InlineRequests;
import dev.ferry.batch.PageQuery;
import dev.ferry.config.ProviderType;
import dev.ferry.web.ApiError;
import dev.ferry.web.CallerHeaders;
import dev.ferry.web.KeyRotation;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.codec.multipart.PartEvent;
import org.springframework.web.reactive.function.client.WebClient;

/**
 * Anthropic's Message Batches API: inline requests in, {@code MessageBatch} out, status
 * and counts mapped onto OpenAI's vocabulary. Anthropic batches have no metadata, so
 * Ferry keeps it in the blob store.
 */
final class AnthropicProvider implements BatchProvider {

	/** Anthropic's {@code custom_id} format. */
	static final Pattern CUSTOM_ID = Pattern.compile("[a-zA-Z0-9_-]{1,64}");

	/** The most requests one Anthropic batch takes. */
	static final int MAX_REQUESTS = 100_000;

	static final String DEFAULT_VERSION = "2023-06-01";

	private final String name;

	private final URI baseUrl;

	private final WebClient client;

	private final KeyRotation keys;

	private final String apiVersion;

	private final JsonMapper mapper;

	private final BatchMetadataStore metadata;

	private final AnthropicUpstreamErrors errors;

	AnthropicProvider(String name, URI baseUrl, WebClient client, List<String> keys, @Nullable String apiVersion,
			JsonMapper mapper, BatchMetadataStore metadata) {
		this.name = name;
		this.baseUrl = baseUrl;
		this.client = client;
		this.keys = new KeyRotation(keys);
		this.apiVersion = (apiVersion != null) ? apiVersion : DEFAULT_VERSION;
		this.mapper = mapper;
		this.metadata = metadata;
		this.errors = new AnthropicUpstreamErrors(name, mapper);
	}

	@Override
	public String name() {
		return this.name;
	}

	@Override
	public ProviderType type() {
		return ProviderType.ANTHROPIC;
	}

	@Override
	public boolean takesInlineRequests() {
		return true;
	}

	@Override
	public Mono<Batch> createInlineBatch(InlineBatch request) {
		ObjectNode body = this.mapper.createObjectNode();
		body.set("requests", requests(request));
		return createNative(body).flatMap((node) -> {
			Batch batch = AnthropicWire.batchFromWire(this.name, node, request.metadata(), body);
			return keptMetadata(batch.id(), request.metadata()).thenReturn(batch);
		});
	}

	/**
	 * Anthropic's {@code requests}: checked here, since Anthropic checks them only later.
	 */
	private ArrayNode requests(InlineBatch request) {
		if (!AnthropicWire.ENDPOINT.equals(request.endpoint())) {
			throw ApiError.invalid("endpoint",
					"endpoint: '" + request.endpoint() + "' (provider '" + this.name + "' runs "
							+ AnthropicWire.ENDPOINT + " requests; translating other endpoints to Anthropic "
							+ "is not available yet)");
		}
		if (request.requests().size() > MAX_REQUESTS) {
			throw ApiError.invalid("requests", "requests: " + request.requests().size() + " (expected: at most "
					+ MAX_REQUESTS + " for provider '" + this.name + "')");
		}
		ArrayNode requests = this.mapper.createArrayNode();
		for (int i = 0; i < request.requests().size(); i++) {
			JsonNode item = request.requests().get(i);
			String customId = item.get("custom_id").asString();
			if (!CUSTOM_ID.matcher(customId).matches()) {
				throw ApiError.invalid("requests[" + i + "].custom_id", "requests[" + i + "].custom_id: '" + customId
						+ "' (expected: 1 to 64 of [a-zA-Z0-9_-], Anthropic's custom_id format)");
			}
			ObjectNode params = InlineRequests.body(item).deepCopy();
			if (request.model() != null && !params.has("model")) {
				params.put("model", request.model());
			}
			ObjectNode out = requests.addObject();
			out.put("custom_id", customId);
			out.set("params", params);
		}
		return requests;
	}

	/**
	 * Creates a batch from a body already in Anthropic's format, untouched.
	 * @param body the caller's create body
	 * @return the upstream's MessageBatch
	 */
	Mono<JsonNode> createNative(JsonNode body) {
		return json(this.client.post()
			.uri("/v1/messages/batches")
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(this.mapper.writeValueAsBytes(body)));
	}

	/**
	 * Lists batches as Anthropic does.
	 * @param limit the page size
	 * @param afterId the id after which the page starts
	 * @param beforeId the id before which the page ends
	 * @return the upstream's page
	 */
	Mono<JsonNode> listNative(int limit, @Nullable String afterId, @Nullable String beforeId) {
		return json(this.client.get()
			.uri((uri) -> uri.path("/v1/messages/batches")
				.queryParam("limit", limit)
				.queryParamIfPresent("after_id", Optional.ofNullable(afterId))
				.queryParamIfPresent("before_id", Optional.ofNullable(beforeId))
				.build()));
	}

	Mono<JsonNode> deleteNative(String batchId) {
		return json(this.client.delete().uri("/v1/messages/batches/{id}", batchId));
	}

	/**
	 * Streams a batch's results from its {@code results_url}, which is followed only on
	 * the provider's own origin.
	 * @param resultsUrl the batch's results URL
	 * @return the JSONL bytes
	 */
	Flux<DataBuffer> results(String resultsUrl) {
		URI url = URI.create(resultsUrl);
		if (!sameOrigin(url, this.baseUrl)) {
			return Flux.error(new ApiError(502, "api_error", "foreign_results_url",
					"provider '" + this.name + "' gave a results_url outside its own origin; Ferry does not follow it",
					null, this.name));
		}
		return headers().flatMapMany((headers) -> this.client.get()
			.uri(url)
			.headers(headers)
			.accept(MediaType.ALL)
			.retrieve()
			.onStatus(HttpStatusCode::isError, this.errors::toError)
			.bodyToFlux(DataBuffer.class));
	}

	private static boolean sameOrigin(URI url, URI base) {
		return url.getScheme() != null && url.getScheme().equalsIgnoreCase(base.getScheme()) && url.getHost() != null
				&& url.getHost().equalsIgnoreCase(base.getHost()) && url.getPort() == base.getPort();
	}

	@Override
	public Mono<Batch> createBatch(CreateBatch request) {
		return Mono.error(ApiError.invalid("input_file_id", "input_file_id: provider '" + this.name
				+ "' takes inline 'requests' only; batches from uploaded files are not available for it yet"));
	}

	@Override
	public Mono<Batch> retrieveBatch(String batchId) {
		return retrieveNative(batchId).flatMap(this::withMetadata);
	}

	Mono<JsonNode> retrieveNative(String batchId) {
		return json(this.client.get().uri("/v1/messages/batches/{id}", batchId));
	}

	Mono<JsonNode> cancelNative(String batchId) {
		return json(this.client.post().uri("/v1/messages/batches/{id}/cancel", batchId));
	}

	@Override
	public Mono<BatchPage> listBatches(PageQuery query) {
		return listNative(query.limit(), query.after(), null).flatMap((node) -> Flux.fromIterable(node.path("data"))
			.concatMap((item) -> keptMetadata(item).map((kept) -> Map.entry(AnthropicWire.text(item, "id"), kept)))
			.collectMap(Map.Entry::getKey, Map.Entry::getValue, LinkedHashMap::new)
			.map((kept) -> AnthropicWire.pageFromWire(this.name, node, kept)));
	}

	@Override
	public Mono<Batch> cancelBatch(String batchId) {
		return cancelNative(batchId).flatMap(this::withMetadata);
	}

	@Override
	public Mono<FileObject> uploadFile(Flux<PartEvent> parts) {
		return Mono.error(noFiles());
	}

	@Override
	public Mono<FilePage> listFiles(PageQuery query) {
		return Mono.error(noFiles());
	}

	@Override
	public Mono<FileObject> retrieveFile(String fileId) {
		return Mono.error(noFiles());
	}

	@Override
	public Mono<FileDeleted> deleteFile(String fileId) {
		return Mono.error(noFiles());
	}

	@Override
	public Mono<FileContent> fileContent(String fileId) {
		return Mono.error(noFiles());
	}

	private ApiError noFiles() {
		return ApiError.invalid("provider",
				"provider '" + this.name + "' (Anthropic) has no files API: create its batches with inline 'requests'");
	}

	private Mono<Batch> withMetadata(JsonNode node) {
		return keptMetadata(node).map(Optional::of)
			.defaultIfEmpty(Optional.empty())
			.map((found) -> AnthropicWire.batchFromWire(this.name, node, found.orElse(null), null));
	}

	/**
	 * The metadata Ferry kept for a batch; ids outside the alphabet never reach storage.
	 */
	private Mono<Map<String, String>> keptMetadata(JsonNode batch) {
		String id = AnthropicWire.text(batch, "id");
		return (id != null && idPattern().matcher(id).matches()) ? this.metadata.load(this.name, id) : Mono.empty();
	}

	private Mono<Void> keptMetadata(String batchId, @Nullable Map<String, String> metadata) {
		if (metadata == null || !idPattern().matcher(batchId).matches()) {
			return Mono.empty();
		}
		return this.metadata.save(this.name, batchId, metadata);
	}

	private Mono<JsonNode> json(WebClient.RequestHeadersSpec<?> request) {
		return headers().flatMap((headers) -> request.headers(headers)
			.accept(MediaType.APPLICATION_JSON)
			.retrieve()
			.onStatus(HttpStatusCode::isError, this.errors::toError)
			.bodyToMono(byte[].class)
			.map(this.mapper::readTree));
	}

	/**
	 * Anthropic's headers: the configured keys in turn as {@code x-api-key}, else the
	 * caller's own credentials; the caller's {@code anthropic-version} and
	 * {@code anthropic-beta} when sent.
	 */
	private Mono<Consumer<HttpHeaders>> headers() {
		return CallerHeaders.current().map((caller) -> (headers) -> {
			String key = this.keys.next();
			if (key != null) {
				headers.set("x-api-key", key);
			}
			else {
				caller.get("x-api-key").ifPresent((value) -> headers.set("x-api-key", value));
				caller.get("authorization").ifPresent((value) -> headers.set(HttpHeaders.AUTHORIZATION, value));
			}
			headers.set("anthropic-version", caller.get("anthropic-version").orElse(this.apiVersion));
			caller.get("anthropic-beta").ifPresent((value) -> headers.set("anthropic-beta", value));
		});
	}

}
