package dev.ferry.provider.jobs;

import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Function;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import dev.ferry.auth.CallerHeaders;
import dev.ferry.auth.KeyRotation;
import dev.ferry.batch.ProviderDescriptor;
import dev.ferry.config.ProviderProperties;
import dev.ferry.upstream.UpstreamRetries;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.http.client.MultipartBodyBuilder;
import org.springframework.web.reactive.function.BodyInserters;
import org.springframework.web.reactive.function.client.WebClient;
import org.springframework.web.util.UriBuilder;

/**
 * The HTTP calls of a job-style provider, on its pooled client: credentials in the
 * provider's header (the configured keys in turn for a caller with a gateway key, the
 * caller's own key otherwise), JSON answers, the provider's errors kept, and retries only
 * where a repeat cannot do anything twice.
 */
public final class JobClient {

	private final String name;

	private final WebClient client;

	private final JsonMapper mapper;

	private final KeyRotation keys;

	private final JobUpstreamErrors errors;

	private final UpstreamRetries retries;

	private final BiConsumer<HttpHeaders, String> setKey;

	/** Access tokens for gateway callers, for providers that take OAuth tokens. */
	private final @Nullable Mono<String> tokens;

	/**
	 * A client.
	 * @param name the provider name
	 * @param client its pooled client, on its base URL
	 * @param properties its configuration
	 * @param auth how it takes its key: a bearer token, or Gemini's
	 * {@code x-goog-api-key}
	 * @param mapper the JSON mapper
	 */
	public JobClient(String name, WebClient client, ProviderProperties properties, ProviderDescriptor.Auth auth,
			JsonMapper mapper) {
		this(name, client, properties, auth, mapper, null);
	}

	/**
	 * A client whose gateway callers are sent with an OAuth access token rather than a
	 * configured key.
	 * @param name the provider name
	 * @param client its pooled client, on its base URL
	 * @param properties its configuration
	 * @param auth how it takes a key
	 * @param mapper the JSON mapper
	 * @param tokens the current access token on each subscription, or {@code null} to
	 * send the configured keys
	 */
	public JobClient(String name, WebClient client, ProviderProperties properties, ProviderDescriptor.Auth auth,
			JsonMapper mapper, @Nullable Mono<String> tokens) {
		this.tokens = tokens;
		this.setKey = (auth == ProviderDescriptor.Auth.X_GOOG_API_KEY)
				? (headers, key) -> headers.set("x-goog-api-key", key) : HttpHeaders::setBearerAuth;
		this.name = name;
		this.client = client;
		this.mapper = mapper;
		this.keys = new KeyRotation(properties.keys());
		this.errors = new JobUpstreamErrors(name, mapper);
		this.retries = new UpstreamRetries(name, properties.retry());
	}

	/**
	 * A read, retried by the provider's policy.
	 * @param uri the path and query, relative to the base URL
	 * @return the JSON answer
	 */
	public Mono<JsonNode> get(Function<UriBuilder, java.net.URI> uri) {
		return this.retries.idempotent(json(this.client.get().uri(uri)));
	}

	/**
	 * A call that changes something but does the same when repeated (a cancel).
	 * @param uri the path and query
	 * @return the JSON answer
	 */
	public Mono<JsonNode> postIdempotent(Function<UriBuilder, java.net.URI> uri) {
		return this.retries.idempotent(json(this.client.post().uri(uri)));
	}

	/**
	 * A create call with a small JSON body, retried only after failures that prove the
	 * upstream did nothing.
	 * @param uri the path and query
	 * @param body the body
	 * @return the JSON answer
	 */
	public Mono<JsonNode> create(Function<UriBuilder, java.net.URI> uri, JsonNode body) {
		return this.retries.creating(json(this.client.post()
			.uri(uri)
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(this.mapper.writeValueAsBytes(body))));
	}

	/**
	 * A create call whose body streams as it is built; never retried, since the body is
	 * produced once.
	 * @param uri the path and query
	 * @param body the body's bytes
	 * @param length their exact number, sent as {@code Content-Length}
	 * @return the JSON answer
	 */
	public Mono<JsonNode> create(Function<UriBuilder, java.net.URI> uri, Flux<DataBuffer> body, long length) {
		return json(this.client.post()
			.uri(uri)
			.contentType(MediaType.APPLICATION_JSON)
			.contentLength(length)
			.body(BodyInserters.fromDataBuffers(body)));
	}

	/**
	 * Uploads a JSONL file as a multipart form whose file part streams; never retried.
	 * @param uri the path and query
	 * @param form the form fields before the file
	 * @param fileField the name of the file part
	 * @param filename the file's name
	 * @param content the file's bytes
	 * @return the JSON answer
	 */
	public Mono<JsonNode> upload(Function<UriBuilder, java.net.URI> uri, Consumer<MultipartBodyBuilder> form,
			String fileField, String filename, Flux<DataBuffer> content) {
		MultipartBodyBuilder builder = new MultipartBodyBuilder();
		form.accept(builder);
		builder.asyncPart(fileField, content, DataBuffer.class)
			.filename(filename)
			.contentType(MediaType.parseMediaType("application/jsonl"));
		return json(this.client.post().uri(uri).body(BodyInserters.fromMultipartData(builder.build())));
	}

	/**
	 * Streams a body, retried only until the response headers arrive: once bytes flow a
	 * repeat would duplicate them.
	 * @param uri the path and query
	 * @return the bytes, once the upstream has answered with a success
	 */
	public Mono<Flux<DataBuffer>> download(Function<UriBuilder, java.net.URI> uri) {
		return stream(this.client.get().uri(uri));
	}

	/**
	 * Streams a signed URL the provider handed out (a storage bucket's), without the
	 * provider's credentials: the URL carries its own.
	 * @param url the signed URL
	 * @return the bytes, once the far end has answered with a success
	 */
	public Mono<Flux<DataBuffer>> downloadSigned(java.net.URI url) {
		return this.retries.idempotent(this.client.get()
			.uri(url)
			// One metrics series for every signed URL, not one per URL.
			.attribute(WebClient.class.getName() + ".uriTemplate", "{signed_url}")
			.accept(MediaType.ALL)
			.retrieve()
			.onStatus(HttpStatusCode::isError, this.errors::toError)
			.toEntityFlux(DataBuffer.class))
			.map((entity) -> (entity.getBody() != null) ? entity.getBody() : Flux.<DataBuffer>empty());
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
	 * A call the wire builds itself (headers of its own, a body of its own), with the
	 * credentials and error handling of every other; never retried.
	 * @param request builds the request on the provider's client
	 * @return the response headers and JSON body, once the upstream has answered with a
	 * success
	 */
	public Mono<ResponseEntity<JsonNode>> exchange(Function<WebClient, WebClient.RequestHeadersSpec<?>> request) {
		return authorization().flatMap((auth) -> request.apply(this.client)
			.headers(auth)
			.accept(MediaType.APPLICATION_JSON)
			.retrieve()
			.onStatus(HttpStatusCode::isError, this.errors::toError)
			.toEntity(byte[].class)
			.map((entity) -> new ResponseEntity<>(
					(entity.getBody() != null) ? this.mapper.readTree(entity.getBody()) : this.mapper.nullNode(),
					entity.getHeaders(), entity.getStatusCode())));
	}

	/**
	 * A call that deletes something; repeating it deletes nothing more.
	 * @param uri the path and query
	 * @return the JSON answer
	 */
	public Mono<JsonNode> delete(Function<UriBuilder, java.net.URI> uri) {
		return this.retries.idempotent(json(this.client.delete().uri(uri)));
	}

	/**
	 * Streams any URL with the provider's credentials (a staging bucket's object, on the
	 * provider's own cloud), retried only until the response headers arrive.
	 * @param url the absolute URL
	 * @return the bytes, once the far end has answered with a success
	 */
	public Mono<Flux<DataBuffer>> download(java.net.URI url) {
		return stream(this.client.get().uri(url).attribute(WebClient.class.getName() + ".uriTemplate", "{object_url}"));
	}

	/** A download with the provider's credentials, retried until its headers arrive. */
	private Mono<Flux<DataBuffer>> stream(WebClient.RequestHeadersSpec<?> request) {
		return this.retries
			.idempotent(authorization().flatMap((auth) -> request.headers(auth)
				.accept(MediaType.ALL)
				.retrieve()
				.onStatus(HttpStatusCode::isError, this.errors::toError)
				.toEntityFlux(DataBuffer.class)))
			.map((entity) -> (entity.getBody() != null) ? entity.getBody() : Flux.<DataBuffer>empty());
	}

	private Mono<Consumer<HttpHeaders>> authorization() {
		Mono<Consumer<HttpHeaders>> keyed = this.keys.credentials(this.name, this.setKey,
				(headers, caller, key) -> this.setKey.accept(headers, key));
		Mono<String> tokens = this.tokens;
		if (tokens == null) {
			return keyed;
		}
		return CallerHeaders.current()
			.flatMap((caller) -> (caller.gateway() != null)
					? tokens.map((token) -> (Consumer<HttpHeaders>) (headers) -> headers.setBearerAuth(token)) : keyed);
	}

}
