package dev.ferry.idempotency;

import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import dev.ferry.auth.CallerHeaders;
import dev.ferry.batch.ApiError;
import dev.ferry.batch.ApiErrors;
import dev.ferry.batch.ProviderResolver;
import dev.ferry.batch.Sha256;
import dev.ferry.config.FerryProperties;
import dev.ferry.storage.BlobStore;
import dev.ferry.storage.BlobVersion;
import dev.ferry.upstream.SharedCalls;
import dev.ferry.upstream.UpstreamFailures;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.server.EntityResponse;
import org.springframework.web.reactive.function.server.HandlerFilterFunction;
import org.springframework.web.reactive.function.server.HandlerFunction;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;

/**
 * Makes batch creates idempotent on request: a create carrying an {@code Idempotency-Key}
 * runs once per caller and key. A retry of the same request gets the first answer again
 * (joining it while it is still under way), the same key on a different request gets a
 * 409, and a retry after a failure that may have created a batch upstream gets a 409
 * rather than a second, billed, batch.
 *
 * <p>
 * Keys are scoped per caller (gateway key name, or a hash of their own provider key) and
 * recorded in the blob store, so they hold across restarts and replicas sharing it.
 */
@Component
public class IdempotentCreates implements HandlerFilterFunction<ServerResponse, ServerResponse>, AutoCloseable {

	/** The header, as OpenAI, Anthropic and Stripe name it. */
	public static final String HEADER = "Idempotency-Key";

	/** Marks an answer replayed from the record rather than produced by this request. */
	public static final String REPLAYED_HEADER = "Idempotent-Replayed";

	private static final Pattern KEY = Pattern.compile("[\\x20-\\x7E]{1,255}");

	/** The request headers that change what a create does, besides its body. */
	private static final String[] MEANINGFUL_HEADERS = { ProviderResolver.PROVIDER_HEADER, "anthropic-version",
			"anthropic-beta" };

	private static final Duration IN_USE_WAIT = Duration.ofSeconds(1);

	private final IdempotencyRecords records;

	private final Duration inFlightTimeout;

	private final Clock clock;

	private final JsonMapper mapper;

	/**
	 * Creates under way on this replica, by scope, so that retries join them; each runs
	 * to its end, and is recorded, even if its caller goes away.
	 */
	private final SharedCalls<String, Outcome> flights = new SharedCalls<>();

	@Autowired
	IdempotentCreates(BlobStore blobs, JsonMapper mapper, FerryProperties properties) {
		this(blobs, mapper, properties.idempotency(), Clock.systemUTC());
	}

	IdempotentCreates(BlobStore blobs, JsonMapper mapper, FerryProperties.Idempotency settings, Clock clock) {
		this.records = new IdempotencyRecords(blobs, mapper, settings.ttl(), settings.sweepInterval(), clock);
		this.inFlightTimeout = settings.inFlightTimeout();
		this.clock = clock;
		this.mapper = mapper;
	}

	@Override
	public Mono<ServerResponse> filter(ServerRequest request, HandlerFunction<ServerResponse> create) {
		String key = request.headers().firstHeader(HEADER);
		if (key == null) {
			return create.handle(request);
		}
		if (!KEY.matcher(key).matches()) {
			return Mono.error(ApiError.invalid(HEADER,
					HEADER + ": not a valid key (expected: 1 to 255 printable ASCII characters, such as a UUID)"));
		}
		return request.bodyToMono(byte[].class).defaultIfEmpty(new byte[0]).flatMap((body) -> {
			String scope = Sha256.hex(CallerHeaders.of(request).principal() + "\n" + key);
			String fingerprint = fingerprint(request, body);
			ServerRequest replayable = ServerRequest.from(request)
				.body(Flux.defer(() -> Flux.just(DefaultDataBufferFactory.sharedInstance.wrap(body))))
				.build();
			return Mono.deferContextual((context) -> {
				var flight = this.flights.join(scope, fingerprint,
						() -> run(scope, key, fingerprint, replayable, create), context);
				if (!flight.request().equals(fingerprint)) {
					return Mono.error(reused(key));
				}
				return flight.answer().flatMap((outcome) -> outcome.respond(flight.joined()));
			});
		});
	}

	private Mono<Outcome> run(String scope, String key, String fingerprint, ServerRequest request,
			HandlerFunction<ServerResponse> create) {
		IdempotencyRecord started = IdempotencyRecord.started(fingerprint, this.clock.instant());
		return this.records.claim(scope, started).flatMap((claim) -> {
			BlobVersion claimed = claim.version();
			if (claimed == null) {
				IdempotencyRecord found = claim.found();
				return (found != null) ? fromRecord(key, fingerprint, found) : Mono.error(inUse(key));
			}
			return Mono.defer(() -> create.handle(request))
				.map(this::outcomeOf)
				.onErrorResume((failure) -> settleFailure(scope, started, claimed, failure).then(Mono.error(failure)))
				.flatMap((outcome) -> this.records.save(scope, started.done(outcome.status(), outcome.body()), claimed)
					.thenReturn(outcome));
		});
	}

	/**
	 * A failed create that certainly created nothing, or whose repeat the provider makes
	 * into the same batch (its idempotency token derived from the key), frees its key for
	 * a retry; any other failure leaves the outcome unknown, and the key unusable until
	 * it expires.
	 */
	private Mono<Void> settleFailure(String scope, IdempotencyRecord started, BlobVersion claimed, Throwable failure) {
		if (UpstreamFailures.certainlyNotActedOn(failure)
				|| (failure instanceof ApiError error && error.isRepeatableByKey())) {
			return this.records.forget(scope);
		}
		return this.records.save(scope, started.unknown(ApiErrors.from(failure).getMessage()), claimed);
	}

	private Mono<Outcome> fromRecord(String key, String fingerprint, IdempotencyRecord found) {
		if (!found.request().equals(fingerprint)) {
			return Mono.error(reused(key));
		}
		return switch (found.state()) {
			case DONE -> Mono.just(new Outcome(found.status(), Objects.requireNonNull(found.response()), true));
			case STARTED -> found.isAbandoned(this.clock.instant(), this.inFlightTimeout)
					? Mono.error(outcomeUnknown(key, "the create was interrupted before its answer was recorded"))
					: Mono.error(inUse(key));
			case UNKNOWN ->
				Mono.error(outcomeUnknown(key, Objects.requireNonNullElse(found.reason(), "no reason kept")));
		};
	}

	private Outcome outcomeOf(ServerResponse response) {
		if (!(response instanceof EntityResponse<?> entity)) {
			throw new IllegalStateException("a create handler answered without an entity; it cannot be recorded");
		}
		JsonNode body = this.mapper.valueToTree(entity.entity());
		return new Outcome(response.statusCode().value(), body, false);
	}

	@Override
	public void close() {
		this.records.close();
	}

	/**
	 * What makes two requests the same: method, path, query, the headers that choose the
	 * provider or change the call, and the body's bytes.
	 */
	private static String fingerprint(ServerRequest request, byte[] body) {
		StringBuilder meta = new StringBuilder(request.method().name()).append(' ').append(request.uri().getRawPath());
		meta.append('?').append(Optional.ofNullable(request.uri().getRawQuery()).orElse(""));
		for (String header : MEANINGFUL_HEADERS) {
			meta.append('\n').append(Optional.ofNullable(request.headers().firstHeader(header)).orElse(""));
		}
		return Sha256.hex(meta + "\n" + HexFormat.of().formatHex(Sha256.digest(body)));
	}

	private static ApiError reused(String key) {
		return new ApiError(409, ApiError.INVALID_REQUEST, "idempotency_key_reused", HEADER + " '" + key
				+ "' was first used with a different request (method, path, provider or body): use a new key for a new request",
				HEADER, null);
	}

	private static ApiError inUse(String key) {
		return new ApiError(409, ApiError.INVALID_REQUEST, "idempotency_key_in_use",
				"a create with " + HEADER + " '" + key + "' is still under way: retry shortly for its answer", HEADER,
				null)
			.withRetryAfter(IN_USE_WAIT);
	}

	private static ApiError outcomeUnknown(String key, String reason) {
		return new ApiError(409, ApiError.INVALID_REQUEST, "idempotency_outcome_unknown",
				"the create with " + HEADER + " '" + key + "' failed after it may have reached the provider (" + reason
						+ "), so a batch may exist: list your batches before creating again with a new key",
				HEADER, null);
	}

	/** The answer to a create, as first given and as replayed. */
	private record Outcome(int status, JsonNode body, boolean replayed) {

		Mono<ServerResponse> respond(boolean joined) {
			ServerResponse.BodyBuilder response = ServerResponse.status(this.status)
				.contentType(MediaType.APPLICATION_JSON);
			if (this.replayed || joined) {
				response.header(REPLAYED_HEADER, "true");
			}
			return response.bodyValue(this.body);
		}

	}

}
