package dev.ferry.batch;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import tools.jackson.core.JacksonException;
import tools.jackson.core.exc.StreamConstraintsException;

import dev.ferry.results.LineTooLongException;
import dev.ferry.storage.StorageUnavailableException;
import dev.ferry.upstream.UpstreamFailures;

import org.springframework.core.codec.CodecException;
import org.springframework.core.io.buffer.DataBufferLimitException;
import org.springframework.web.reactive.function.client.WebClientRequestException;
import org.springframework.web.server.ResponseStatusException;
import org.springframework.web.server.ServerWebInputException;

/**
 * Turns any failure into an {@link ApiError}, so that dialects render one type.
 */
public final class ApiErrors {

	private static final Log logger = LogFactory.getLog(ApiErrors.class);

	private ApiErrors() {
	}

	/**
	 * The {@link ApiError} for a failure.
	 * @param failure what went wrong
	 * @return the error to render
	 */
	public static ApiError from(Throwable failure) {
		if (failure instanceof ApiError apiError) {
			return apiError;
		}
		if (failure instanceof WebClientRequestException && failure.getCause() instanceof ApiError refused) {
			// Ferry refused the request body while streaming it upstream.
			return refused;
		}
		if (failure instanceof StreamConstraintsException tooDeep) {
			return ApiError.invalid(null,
					"body: " + tooDeep.getOriginalMessage().replaceAll(", from `StreamReadConstraints[^`]*`", "")
							+ " (expected: JSON within Jackson's default read limits)");
		}
		if (failure instanceof DataBufferLimitException) {
			return ApiError.tooLarge("body: larger than the limit (ferry.files.max-request-body)");
		}
		if (failure instanceof ServerWebInputException || failure instanceof CodecException
				|| failure instanceof JacksonException) {
			return ApiError.invalid(null, "malformed request: " + mostSpecificMessage(failure));
		}
		if (failure instanceof LineTooLongException tooLong) {
			return ApiError.invalid(null, tooLong.getMessage());
		}
		if (failure instanceof StorageUnavailableException unavailable) {
			logger.warn("The blob store failed: " + unavailable.getMessage());
			return withCause(
					new ApiError(503, "api_error", "storage_unavailable",
							"Ferry's storage is unavailable; nothing was recorded half-way, retry later", null, null),
					failure);
		}
		if (UpstreamFailures.isPoolSaturated(failure)) {
			return withCause(UpstreamFailures.overloaded(), failure);
		}
		if (UpstreamFailures.isTimeout(failure)) {
			// The upstream accepted the connection but did not answer in time: a gateway
			// timeout, so clients know retrying later may help.
			return withCause(new ApiError(504, "api_error", "upstream_timeout",
					"the upstream provider did not answer in time", null, null), failure);
		}
		if (failure instanceof WebClientRequestException) {
			return withCause(
					new ApiError(502, "api_error", "upstream_unreachable",
							"the upstream provider could not be reached: " + mostSpecificMessage(failure), null, null),
					failure);
		}
		if (failure instanceof ResponseStatusException status) {
			return new ApiError(status.getStatusCode().value(), ApiError.INVALID_REQUEST, null,
					(status.getReason() != null) ? status.getReason() : status.getMessage(), null, null);
		}
		logger.error("Unexpected failure", failure);
		return new ApiError(500, "server_error", null, "internal error in Ferry", null, null);
	}

	/**
	 * Keeps the failure behind an upstream error, which tells whether the request can
	 * have reached the upstream.
	 */
	private static ApiError withCause(ApiError error, Throwable cause) {
		error.initCause(cause);
		return error;
	}

	private static String mostSpecificMessage(Throwable failure) {
		Throwable root = failure;
		while (root.getCause() != null && root.getCause() != root) {
			root = root.getCause();
		}
		return (root.getMessage() != null) ? root.getMessage() : root.getClass().getSimpleName();
	}

}
