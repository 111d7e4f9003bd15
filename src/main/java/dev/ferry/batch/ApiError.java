package dev.ferry.batch;

import java.time.Duration;

import org.jspecify.annotations.Nullable;

/**
 * Ferry's one internal error: every failure, Ferry's own or an upstream's, becomes this
 * and each dialect renders it in its own wire shape.
 */
public final class ApiError extends RuntimeException {

	/** The type of a request Ferry refuses as malformed. */
	public static final String INVALID_REQUEST = "invalid_request_error";

	private final int status;

	private final String type;

	private final @Nullable String code;

	private final @Nullable String param;

	private final @Nullable String provider;

	private final @Nullable Origin origin;

	public ApiError(int status, String type, @Nullable String code, String message, @Nullable String param,
			@Nullable String provider) {
		this(status, type, code, message, param, provider, null);
	}

	private ApiError(int status, String type, @Nullable String code, String message, @Nullable String param,
			@Nullable String provider, @Nullable Origin origin) {
		super(message);
		this.status = status;
		this.type = type;
		this.code = code;
		this.param = param;
		this.provider = provider;
		this.origin = origin;
	}

	/**
	 * A 400 for a malformed request.
	 * @param param the offending parameter, or {@code null}
	 * @param message what was wrong and what is accepted
	 * @return the error
	 */
	public static ApiError invalid(@Nullable String param, String message) {
		return new ApiError(400, INVALID_REQUEST, null, message, param, null);
	}

	/**
	 * A 404 for an object the provider does not have.
	 * @param provider the provider asked
	 * @param message what was not found
	 * @return the error
	 */
	public static ApiError notFound(String provider, String message) {
		return new ApiError(404, INVALID_REQUEST, "not_found", message, null, provider);
	}

	/**
	 * A 413 for a body or file over a configured limit.
	 * @param message which limit was exceeded
	 * @return the error
	 */
	public static ApiError tooLarge(String message) {
		return new ApiError(413, INVALID_REQUEST, "request_too_large", message, null, null);
	}

	public int status() {
		return this.status;
	}

	public String type() {
		return this.type;
	}

	public @Nullable String code() {
		return this.code;
	}

	public @Nullable String param() {
		return this.param;
	}

	public @Nullable String provider() {
		return this.provider;
	}

	/**
	 * This error, marked as the answer of an upstream provider, which is what makes it
	 * worth retrying when its status says the upstream was only briefly unable.
	 * @param retryAfter how long the upstream asked callers to wait, if it said
	 * @return the marked error
	 */
	public ApiError answeredByUpstream(@Nullable Duration retryAfter) {
		return derived(this.provider, new Origin(true, retryAfter, isRepeatableByKey()));
	}

	/**
	 * This error of a create that the provider would not make twice when it is repeated
	 * with the same {@code Idempotency-Key} (Ferry derived the provider's own idempotency
	 * token from it), so that the key may be used again even though the create may have
	 * reached the provider.
	 * @return the marked error
	 */
	public ApiError repeatableByKey() {
		return derived(this.provider, new Origin(isUpstreamAnswer(), retryAfter(), true));
	}

	/**
	 * Whether repeating the failed create with the same {@code Idempotency-Key} makes no
	 * second batch.
	 * @return true when the provider deduplicates the create by a token Ferry derived
	 * from the key
	 */
	public boolean isRepeatableByKey() {
		return this.origin != null && this.origin.repeatableByKey();
	}

	/**
	 * Whether an upstream answered with this error, rather than Ferry refusing the call.
	 * @return true for an upstream's error response
	 */
	public boolean isUpstreamAnswer() {
		return this.origin != null && this.origin.upstream();
	}

	/**
	 * How long to wait before retrying, as the upstream's {@code Retry-After} said, or as
	 * Ferry says when it sheds load.
	 * @return the wait, or {@code null}
	 */
	public @Nullable Duration retryAfter() {
		return (this.origin != null) ? this.origin.retryAfter() : null;
	}

	/**
	 * This error with a {@code Retry-After} for the caller.
	 * @param wait how long the caller should wait
	 * @return the error
	 */
	public ApiError withRetryAfter(Duration wait) {
		return derived(this.provider, new Origin(isUpstreamAnswer(), wait, isRepeatableByKey()));
	}

	/**
	 * This error, attributed to a provider unless it already names one.
	 * @param providerName the provider
	 * @return an error naming a provider
	 */
	public ApiError withProvider(String providerName) {
		if (this.provider != null) {
			return this;
		}
		return derived(providerName, this.origin);
	}

	/**
	 * This error with a message that says more, everything else kept.
	 * @param message the message
	 * @return the error
	 */
	public ApiError withMessage(String message) {
		return derived(this.provider, this.origin, message);
	}

	/** A copy with another provider or origin, keeping the failure behind it. */
	private ApiError derived(@Nullable String providerName, @Nullable Origin newOrigin) {
		return derived(providerName, newOrigin, getMessage());
	}

	private ApiError derived(@Nullable String providerName, @Nullable Origin newOrigin, String message) {
		ApiError copy = new ApiError(this.status, this.type, this.code, message, this.param, providerName, newOrigin);
		if (getCause() != null) {
			copy.initCause(getCause());
		}
		return copy;
	}

	@Override
	public String getMessage() {
		String message = super.getMessage();
		return (message != null) ? message : "";
	}

	/**
	 * Whether an upstream answered with the error, what it asked of callers, and whether
	 * the failed create may be repeated with its key.
	 */
	private record Origin(boolean upstream, @Nullable Duration retryAfter, boolean repeatableByKey) {
	}

}
