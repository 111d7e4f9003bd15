package dev.ferry.storage;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.util.retry.Retry;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.core.async.AsyncRequestBody;
import software.amazon.awssdk.core.async.AsyncResponseTransformer;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.PutObjectResponse;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;

/**
 * A {@link BlobStore} in an S3 bucket, shared by every replica.
 *
 * <p>
 * Large writes stream through the SDK's multipart upload, a part at a time; reads stream
 * the object's bytes as they arrive. Create-only puts send {@code If-None-Match: *} and
 * compare-and-swap puts {@code If-Match: <etag>}; S3 answers a lost race with 412 (and a
 * concurrent conditional write with 409, which is retried). A 412 after the SDK retried a
 * request may hide this writer's own earlier success, so the key is read back: finding
 * the bytes just sent there counts as a win (writers put a nonce in what they race for).
 *
 * <p>
 * Every call starts on the bounded elastic scheduler: the SDK resolves credentials on the
 * calling thread, and a refresh (web identity, instance metadata) blocks. The HTTP
 * exchange itself runs on the SDK's Netty client.
 */
public final class S3BlobStore implements BlobStore, AutoCloseable {

	private static final int PRECONDITION_FAILED = 412;

	private static final int CONFLICT = 409;

	private static final int NOT_FOUND = 404;

	private static final int RANGE_NOT_SATISFIABLE = 416;

	private final S3AsyncClient client;

	private final S3AsyncClient multipart;

	private final AutoCloseable transport;

	private final String bucket;

	private final String prefix;

	/**
	 * A store on two clients sharing one HTTP client: a plain one for conditional and
	 * ranged calls, a multipart one for streaming writes of unknown length.
	 * @param client the plain client
	 * @param multipart the multipart-enabled client
	 * @param transport the HTTP client both share, closed with the store
	 * @param bucket the bucket
	 * @param prefix a prefix for every key, empty or ending with {@code /}
	 */
	public S3BlobStore(S3AsyncClient client, S3AsyncClient multipart, AutoCloseable transport, String bucket,
			String prefix) {
		this.client = client;
		this.multipart = multipart;
		this.transport = transport;
		this.bucket = bucket;
		this.prefix = prefix;
	}

	/**
	 * Streams a blob through a multipart upload, completed only once the content has
	 * ended: a content that fails aborts the upload and fails the write with its own
	 * error (a refused upload line, say), never the SDK's wrapping of it.
	 */
	@Override
	public Mono<Long> write(String key, Flux<DataBuffer> content) {
		long[] written = { 0 };
		AtomicReference<Throwable> contentFailure = new AtomicReference<>();
		Flux<ByteBuffer> bytes = content.doOnError(contentFailure::set).map((buffer) -> {
			try {
				ByteBuffer copy = ByteBuffer.allocate(buffer.readableByteCount());
				buffer.toByteBuffer(copy);
				written[0] += copy.remaining();
				return copy;
			}
			finally {
				DataBufferUtils.release(buffer);
			}
		});
		return call(() -> this.multipart.putObject((put) -> put.bucket(this.bucket).key(full(key)),
				AsyncRequestBody.fromPublisher(bytes)))
			.map((response) -> written[0])
			.onErrorMap((ex) -> {
				Throwable failure = contentFailure.get();
				if (failure != null) {
					return failure;
				}
				return (ex instanceof SdkException) ? unavailable("writing " + key, ex) : ex;
			});
	}

	@Override
	public Flux<DataBuffer> read(String key, long offset) {
		return call(() -> this.client.getObject((get) -> {
			get.bucket(this.bucket).key(full(key));
			if (offset > 0) {
				get.range("bytes=" + offset + "-");
			}
		}, AsyncResponseTransformer.<GetObjectResponse>toPublisher()))
			.flatMapMany(
					(publisher) -> Flux.from(publisher).<DataBuffer>map(DefaultDataBufferFactory.sharedInstance::wrap))
			.onErrorResume(S3Exception.class,
					(ex) -> (ex.statusCode() == RANGE_NOT_SATISFIABLE) ? Flux.empty() : Flux.error(ex))
			.onErrorMap(S3Exception.class,
					(ex) -> (ex.statusCode() == NOT_FOUND) ? new BlobNotFoundException(key)
							: unavailable("reading " + key, ex))
			.onErrorMap(SdkException.class, (ex) -> unavailable("reading " + key, ex));
	}

	@Override
	public Mono<VersionedBlob> get(String key) {
		return call(() -> this.client.getObject((get) -> get.bucket(this.bucket).key(full(key)),
				AsyncResponseTransformer.toBytes()))
			.map(S3BlobStore::versioned)
			.onErrorResume(NoSuchKeyException.class, (ex) -> Mono.empty())
			.onErrorResume(S3Exception.class,
					(ex) -> (ex.statusCode() == NOT_FOUND) ? Mono.empty()
							: Mono.error(unavailable("reading " + key, ex)))
			.onErrorMap(SdkException.class, (ex) -> unavailable("reading " + key, ex));
	}

	@Override
	public Mono<ConditionalWrite> create(String key, byte[] content) {
		return conditional(key, content,
				() -> this.client.putObject((put) -> put.bucket(this.bucket).key(full(key)).ifNoneMatch("*"),
						AsyncRequestBody.fromBytes(content)));
	}

	@Override
	public Mono<ConditionalWrite> replace(String key, byte[] content, BlobVersion expected) {
		return conditional(key, content,
				() -> this.client.putObject((put) -> put.bucket(this.bucket).key(full(key)).ifMatch(expected.value()),
						AsyncRequestBody.fromBytes(content)));
	}

	@Override
	public Mono<Void> delete(String key) {
		return call(() -> this.client.deleteObject((delete) -> delete.bucket(this.bucket).key(full(key))))
			.onErrorMap(SdkException.class, (ex) -> unavailable("deleting " + key, ex))
			.then();
	}

	@Override
	public Flux<String> list(String folder) {
		String listed = full(folder.endsWith("/") ? folder : folder + "/");
		return Flux
			.defer(() -> this.client
				.listObjectsV2Paginator((list) -> list.bucket(this.bucket).prefix(listed).delimiter("/"))
				.contents())
			.subscribeOn(Schedulers.boundedElastic())
			.map(S3Object::key)
			.map((name) -> name.substring(listed.length()))
			.onErrorMap(CompletionException.class, (ex) -> (ex.getCause() != null) ? ex.getCause() : ex)
			.onErrorMap(SdkException.class, (ex) -> unavailable("listing " + folder, ex));
	}

	@Override
	public String describe() {
		return "s3://" + this.bucket + "/" + this.prefix;
	}

	@Override
	public void close() throws Exception {
		this.multipart.close();
		this.client.close();
		this.transport.close();
	}

	/**
	 * Sends a conditional put and reads its answer: 412 lost (unless the key holds these
	 * very bytes), 404 missing, 409 retried a few times.
	 */
	private Mono<ConditionalWrite> conditional(String key, byte[] content,
			Supplier<CompletableFuture<PutObjectResponse>> put) {
		return call(put).map((response) -> ConditionalWrite.won(new BlobVersion(response.eTag())))
			.retryWhen(Retry.backoff(3, Duration.ofMillis(50))
				.filter((ex) -> ex instanceof S3Exception s3 && s3.statusCode() == CONFLICT)
				.onRetryExhaustedThrow((spec, signal) -> signal.failure()))
			.onErrorResume(S3Exception.class, (ex) -> switch (ex.statusCode()) {
				case PRECONDITION_FAILED -> get(key).map((found) -> Arrays.equals(found.bytes(), content)
						? ConditionalWrite.won(found.version()) : ConditionalWrite.lost())
					.defaultIfEmpty(ConditionalWrite.lost());
				case NOT_FOUND -> Mono.just(ConditionalWrite.missing());
				default -> Mono.error(unavailable("writing " + key, ex));
			})
			.onErrorMap(SdkException.class, (ex) -> unavailable("writing " + key, ex));
	}

	private static VersionedBlob versioned(ResponseBytes<GetObjectResponse> response) {
		return new VersionedBlob(response.asByteArray(), new BlobVersion(response.response().eTag()));
	}

	private <T> Mono<T> call(Supplier<CompletableFuture<T>> request) {
		return Mono.fromFuture(request).subscribeOn(Schedulers.boundedElastic());
	}

	private String full(String key) {
		return this.prefix + BlobKeys.checked(key);
	}

	private StorageUnavailableException unavailable(String what, Throwable cause) {
		return new StorageUnavailableException(
				"the blob store " + describe() + " failed " + what + ": " + cause.getMessage(), cause);
	}

}
