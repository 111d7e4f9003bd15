package dev.ferry.provider.openai;

import java.util.Optional;
import java.util.function.Consumer;

import io.micrometer.core.instrument.MeterRegistry;
import org.jspecify.annotations.Nullable;
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
import dev.ferry.batch.CreateBatch;
import dev.ferry.batch.FileContent;
import dev.ferry.batch.FileDeleted;
import dev.ferry.batch.FileObject;
import dev.ferry.batch.FilePage;
import dev.ferry.batch.PageQuery;
import dev.ferry.batch.ProviderDescriptor;
import dev.ferry.config.ProviderProperties;
import dev.ferry.upstream.BatchStatusCache;
import dev.ferry.upstream.UpstreamRetries;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.codec.multipart.PartEvent;
import org.springframework.web.reactive.function.client.WebClient;

/**
 * The OpenAI Files and Batch API, or any service that speaks it. A family whose service
 * departs from OpenAI's in places extends this class and overrides those places only.
 *
 * <p>
 * Bodies from OpenAI-format callers pass through with their unknown fields; uploads and
 * file content stream through without being held in memory. Ids reach the upstream only
 * as encoded URI template variables.
 */
class OpenAiProvider implements BatchProvider {

	protected final String name;

	protected final WebClient client;

	protected final JsonMapper mapper;

	protected final UpstreamRetries retries;

	private final ProviderDescriptor descriptor;

	private final KeyRotation keys;

	private final OpenAiUpstreamErrors errors;

	private final BatchStatusCache<Batch> statuses;

	OpenAiProvider(Setup setup) {
		this.name = setup.name();
		this.descriptor = setup.descriptor();
		this.client = setup.client();
		this.mapper = setup.mapper();
		this.keys = new KeyRotation(setup.properties().keys());
		this.errors = new OpenAiUpstreamErrors(this.name, this.mapper);
		this.retries = new UpstreamRetries(this.name, setup.properties().retry());
		this.statuses = new BatchStatusCache<>(setup.properties().statusCache(),
				BatchStatusCache.Counters.of(setup.meters(), this.name),
				(node) -> toBatch(node, null).keptAs(this.mapper.writeValueAsBytes(node)),
				(batch) -> batch.status().isTerminal());
	}

	@Override
	public String name() {
		return this.name;
	}

	@Override
	public ProviderDescriptor descriptor() {
		return this.descriptor;
	}

	@Override
	public Mono<Batch> createBatch(CreateBatch request) {
		ObjectNode body = request.passthrough().deepCopy();
		body.put("input_file_id", request.inputFileId());
		body.put("endpoint", request.endpoint());
		body.put("completion_window", request.completionWindow());
		Mono<JsonNode> create = CallerHeaders.current()
			.flatMap((caller) -> json(this.client.post()
				.uri("/batches")
				.headers((headers) -> createHeaders(headers, caller))
				.contentType(MediaType.APPLICATION_JSON)
				.bodyValue(this.mapper.writeValueAsBytes(body))));
		return creating(create).map((node) -> toBatch(node, body));
	}

	@Override
	public Mono<Batch> retrieveBatch(String batchId) {
		return this.statuses.get(batchId, () -> read(this.client.get().uri("/batches/{id}", batchId)));
	}

	@Override
	public Mono<BatchPage> listBatches(PageQuery query) {
		return read(this.client.get()
			.uri((uri) -> uri.path("/batches")
				.queryParam("limit", query.limit())
				.queryParamIfPresent("after", Optional.ofNullable(query.after()))
				.build()))
			.map((node) -> OpenAiWire.batchPageFromWire(node, (item) -> toBatch(item, null)));
	}

	@Override
	public Mono<Batch> cancelBatch(String batchId) {
		return this.statuses.changing(batchId, read(cancelRequest(batchId))).map((node) -> toBatch(node, null));
	}

	@Override
	public Mono<FileObject> uploadFile(Flux<PartEvent> parts) {
		return json(this.client.post().uri("/files").body(uploadParts(parts), PartEvent.class))
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
		return download(this.client.get().uri("/files/{id}/content", fileId));
	}

	/**
	 * Streams an upstream body. Retried only until the response headers arrive: once
	 * bytes flow to the caller a repeat would duplicate them, so a later failure ends the
	 * caller's stream instead.
	 * @param request the request
	 * @return the content, once the upstream has answered with a success
	 */
	protected Mono<FileContent> download(WebClient.RequestHeadersSpec<?> request) {
		return this.retries.idempotent(authorization().flatMap((auth) -> request.accept(MediaType.ALL)
			.headers(auth)
			.retrieve()
			.onStatus(HttpStatusCode::isError, this.errors::toError)
			.toEntityFlux(DataBuffer.class))).map((entity) -> {
				MediaType type = entity.getHeaders().getContentType();
				return new FileContent((type != null) ? type : MediaType.APPLICATION_OCTET_STREAM,
						entity.getHeaders().getContentLength(), entity.getBody());
			});
	}

	/**
	 * The canonical batch for a batch object, with the object normalised where the
	 * service departs from OpenAI's shape, so that it can be passed through.
	 * @param node the provider's batch object
	 * @param rawRequest the body that was sent, if any
	 * @return the batch
	 */
	protected Batch toBatch(JsonNode node, @Nullable JsonNode rawRequest) {
		Batch batch = OpenAiWire.batchFromWire(this.name, node, rawRequest);
		OpenAiWire.normalise(node, batch);
		return batch;
	}

	/**
	 * The request that cancels a batch: OpenAI's {@code POST /batches/{id}/cancel}.
	 * @param batchId the batch
	 * @return the request
	 */
	protected WebClient.RequestHeadersSpec<?> cancelRequest(String batchId) {
		return this.client.post().uri("/batches/{id}/cancel", batchId);
	}

	/**
	 * The upload form as it goes upstream; by default as the caller sent it.
	 * @param parts the checked form
	 * @return the form to send
	 */
	protected Flux<PartEvent> uploadParts(Flux<PartEvent> parts) {
		return parts;
	}

	/**
	 * Headers of a create call beyond the credentials; none by default.
	 * @param headers the request headers
	 * @param caller who is calling
	 */
	protected void createHeaders(HttpHeaders headers, CallerHeaders caller) {
	}

	/**
	 * A create call with the retries it allows: by default only with the caller's
	 * {@code Idempotency-Key}, and only after failures that prove the upstream did
	 * nothing.
	 * @param create the call
	 * @return the call with retries
	 */
	protected Mono<JsonNode> creating(Mono<JsonNode> create) {
		return this.retries.creating(create);
	}

	/**
	 * Sets a configured key on a request: {@code Authorization: Bearer} by default.
	 * @param headers the request headers
	 * @param key the key
	 */
	protected void credentials(HttpHeaders headers, String key) {
		headers.setBearerAuth(key);
	}

	/**
	 * Forwards a caller's own credentials; by default as the configured key would go.
	 * @param headers the request headers
	 * @param caller the caller, who sent a credential of their own
	 * @param key that credential, without any {@code Bearer } prefix
	 */
	protected void ownCredentials(HttpHeaders headers, CallerHeaders caller, String key) {
		credentials(headers, key);
	}

	/** A call that is safe to repeat, retried by the provider's policy. */
	protected Mono<JsonNode> read(WebClient.RequestHeadersSpec<?> request) {
		return this.retries.idempotent(json(request));
	}

	private Mono<JsonNode> json(WebClient.RequestHeadersSpec<?> request) {
		return authorization().flatMap((auth) -> request.headers(auth)
			.accept(MediaType.APPLICATION_JSON)
			.retrieve()
			.onStatus(HttpStatusCode::isError, this.errors::toError)
			.bodyToMono(byte[].class)
			.map(this.mapper::readTree));
	}

	private Mono<Consumer<HttpHeaders>> authorization() {
		return this.keys.credentials(this.name, this::credentials, this::ownCredentials);
	}

	/**
	 * What every provider of the family is made of.
	 *
	 * @param name the configured name
	 * @param descriptor the family's descriptor
	 * @param client the provider's pooled client, with its base URL
	 * @param properties its configuration
	 * @param mapper the JSON mapper
	 * @param maxLineBytes the longest JSONL line Ferry reads
	 */
	record Setup(String name, ProviderDescriptor descriptor, WebClient client, ProviderProperties properties,
			JsonMapper mapper, int maxLineBytes, MeterRegistry meters) {

		/**
		 * This setup with another client.
		 * @param other the client
		 * @return a copy
		 */
		Setup withClient(WebClient other) {
			return new Setup(this.name, this.descriptor, other, this.properties, this.mapper, this.maxLineBytes,
					this.meters);
		}

	}

}
