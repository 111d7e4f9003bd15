package dev.ferry.provider.openai;

import java.util.Optional;
import java.util.function.Consumer;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import dev.ferry.auth.CallerHeaders;
import dev.ferry.auth.KeyRotation;
import dev.ferry.batch.Batch;
import dev.ferry.batch.BatchPage;
import dev.ferry.batch.BatchProvider;
import dev.ferry.batch.BatchStatus;
import dev.ferry.batch.CreateBatch;
import dev.ferry.batch.FileContent;
import dev.ferry.batch.FileDeleted;
import dev.ferry.batch.FileObject;
import dev.ferry.batch.FilePage;
import dev.ferry.batch.PageQuery;
import dev.ferry.config.ProviderProperties;
import dev.ferry.config.ProviderType;
import dev.ferry.upstream.BatchStatusCache;
import dev.ferry.upstream.UpstreamRetries;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.codec.multipart.PartEvent;
import org.springframework.web.reactive.function.client.WebClient;

/**
 * The OpenAI Files and Batch API, or any service that speaks it.
 *
 * <p>
 * Bodies from OpenAI-format callers pass through with their unknown fields; uploads and
 * file content stream through without being held in memory. Ids reach the upstream only
 * as encoded URI template variables.
 */
final class OpenAiProvider implements BatchProvider {

	private final String name;

	private final WebClient client;

	private final KeyRotation keys;

	private final JsonMapper mapper;

	private final OpenAiUpstreamErrors errors;

	private final UpstreamRetries retries;

	private final BatchStatusCache statuses;

	OpenAiProvider(String name, WebClient client, ProviderProperties properties, JsonMapper mapper) {
		this.name = name;
		this.client = client;
		this.keys = new KeyRotation(properties.keys());
		this.mapper = mapper;
		this.errors = new OpenAiUpstreamErrors(name, mapper);
		this.retries = new UpstreamRetries(name, properties.retry());
		this.statuses = new BatchStatusCache(properties.statusCache(), OpenAiProvider::hasEnded, mapper);
	}

	@Override
	public String name() {
		return this.name;
	}

	@Override
	public ProviderType type() {
		return ProviderType.OPENAI;
	}

	@Override
	public Mono<Batch> createBatch(CreateBatch request) {
		ObjectNode body = request.passthrough().deepCopy();
		body.put("input_file_id", request.inputFileId());
		body.put("endpoint", request.endpoint());
		body.put("completion_window", request.completionWindow());
		Mono<JsonNode> create = json(this.client.post()
			.uri("/batches")
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(this.mapper.writeValueAsBytes(body)));
		return this.retries.creating(create).map((node) -> OpenAiWire.batchFromWire(this.name, node, body));
	}

	@Override
	public Mono<Batch> retrieveBatch(String batchId) {
		return this.statuses.get(batchId, read(this.client.get().uri("/batches/{id}", batchId)))
			.map((node) -> OpenAiWire.batchFromWire(this.name, node, null));
	}

	@Override
	public Mono<BatchPage> listBatches(PageQuery query) {
		return read(this.client.get()
			.uri((uri) -> uri.path("/batches")
				.queryParam("limit", query.limit())
				.queryParamIfPresent("after", Optional.ofNullable(query.after()))
				.build()))
			.map((node) -> OpenAiWire.batchPageFromWire(this.name, node));
	}

	@Override
	public Mono<Batch> cancelBatch(String batchId) {
		return this.statuses.changing(batchId, read(this.client.post().uri("/batches/{id}/cancel", batchId)))
			.map((node) -> OpenAiWire.batchFromWire(this.name, node, null));
	}

	@Override
	public Mono<FileObject> uploadFile(Flux<PartEvent> parts) {
		return json(this.client.post().uri("/files").body(parts, PartEvent.class))
			.map((node) -> OpenAiWire.fileFromWire(this.name, node));
	}

	@Override
	public Mono<FilePage> listFiles(PageQuery query) {
		return read(this.client.get()
			.uri((uri) -> uri.path("/files")
				.queryParam("limit", query.limit())
				.queryParamIfPresent("after", Optional.ofNullable(query.after()))
				.queryParamIfPresent("order", Optional.ofNullable(query.order()))
				.queryParamIfPresent("purpose", Optional.ofNullable(query.purpose()))
				.build()))
			.map((node) -> OpenAiWire.filePageFromWire(this.name, node));
	}

	@Override
	public Mono<FileObject> retrieveFile(String fileId) {
		return read(this.client.get().uri("/files/{id}", fileId))
			.map((node) -> OpenAiWire.fileFromWire(this.name, node));
	}

	@Override
	public Mono<FileDeleted> deleteFile(String fileId) {
		return json(this.client.delete().uri("/files/{id}", fileId))
			.map((node) -> new FileDeleted(OpenAiWire.text(node, "id") != null ? OpenAiWire.text(node, "id") : fileId,
					node.path("deleted").asBoolean(false), node));
	}

	@Override
	public Mono<FileContent> fileContent(String fileId) {
		// Retried only until the response headers arrive: once bytes flow to the caller a
		// repeat would duplicate them, so a later failure ends the caller's stream
		// instead.
		return this.retries.idempotent(authorization().flatMap((auth) -> this.client.get()
			.uri("/files/{id}/content", fileId)
			.accept(MediaType.ALL)
			.headers(auth)
			.retrieve()
			.onStatus(HttpStatusCode::isError, this.errors::toError)
			.toEntityFlux(DataBuffer.class))).map((entity) -> {
				MediaType type = entity.getHeaders().getContentType();
				return new FileContent((type != null) ? type : MediaType.APPLICATION_OCTET_STREAM,
						entity.getHeaders().getContentLength(), entity.getBody());
			});
	}

	/** A call that is safe to repeat, retried by the provider's policy. */
	private Mono<JsonNode> read(WebClient.RequestHeadersSpec<?> request) {
		return this.retries.idempotent(json(request));
	}

	private static boolean hasEnded(JsonNode batch) {
		BatchStatus status = BatchStatus.fromWire(OpenAiWire.text(batch, "status"));
		return status != null && status.isTerminal();
	}

	private Mono<JsonNode> json(WebClient.RequestHeadersSpec<?> request) {
		return authorization().flatMap((auth) -> request.headers(auth)
			.accept(MediaType.APPLICATION_JSON)
			.retrieve()
			.onStatus(HttpStatusCode::isError, this.errors::toError)
			.bodyToMono(byte[].class)
			.map(this.mapper::readTree));
	}

	/**
	 * The upstream credentials: for a caller with a gateway key, the configured keys in
	 * turn; for anyone else, their own key, never the configured ones.
	 */
	private Mono<Consumer<HttpHeaders>> authorization() {
		return CallerHeaders.current().flatMap((caller) -> {
			if (caller.gateway() != null) {
				String key = this.keys.next();
				return Mono.just((key != null) ? (headers) -> headers.setBearerAuth(key) : (headers) -> {
				});
			}
			return caller.ownKey()
				.<Mono<Consumer<HttpHeaders>>>map((key) -> Mono.just((headers) -> headers.setBearerAuth(key)))
				.orElseGet(() -> Mono.error(CallerHeaders.missingCredentials(this.name)));
		});
	}

}
