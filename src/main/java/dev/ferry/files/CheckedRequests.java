package dev.ferry.files;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

import dev.ferry.batch.ApiError;

/**
 * What a checking pass over a batch's requests has learned so far, for providers that run
 * one model per batch: how many requests there are, and the batch's one model (the
 * caller's, or the first a request names). Each request's body must be a JSON object, and
 * a request naming another model is refused with where it is.
 *
 * @param count the requests seen
 * @param model the batch's model, once known
 */
public record CheckedRequests(long count, @Nullable String model) {

	/**
	 * Starts a pass.
	 * @param model the model the caller named for the batch, if any
	 * @return nothing seen yet
	 */
	public static CheckedRequests start(@Nullable String model) {
		return new CheckedRequests(0, model);
	}

	/**
	 * Checks one more request.
	 * @param request the request
	 * @param provider the provider name, for errors
	 * @return what is known with it
	 * @throws ApiError 400 naming the request when its body is not an object or it names
	 * another model
	 */
	public CheckedRequests add(InputRequest request, String provider) {
		if (!request.body().isObject()) {
			throw refuse(provider, request.param(),
					request.where() + ": body is not a JSON object (expected: the request body)");
		}
		JsonNode named = request.body().path("model");
		String batchModel = this.model;
		if (named.isString()) {
			if (batchModel != null && !batchModel.equals(named.stringValue())) {
				throw refuse(provider, request.param(),
						request.where() + " (custom_id '" + request.customId() + "'): model '" + named.stringValue()
								+ "' differs from the batch's model '" + batchModel + "' (provider '" + provider
								+ "' runs one model per batch)");
			}
			batchModel = named.stringValue();
		}
		return new CheckedRequests(this.count + 1, batchModel);
	}

	/**
	 * Refuses a batch without requests.
	 * @param provider the provider name, for the error
	 * @throws ApiError 400 when no request was seen
	 */
	public void requireRequests(String provider) {
		if (this.count == 0) {
			throw refuse(provider, "input_file_id", "the batch has no requests (expected: at least one)");
		}
	}

	/**
	 * The batch's model, for providers that set it on the job.
	 * @param provider the provider name, for the error
	 * @return the model
	 * @throws ApiError 400 when there were no requests or none named a model
	 */
	public String requireModel(String provider) {
		requireRequests(provider);
		if (this.model == null) {
			throw refuse(provider, "model", "no model: none of the requests names one and the batch names none "
					+ "(expected: body.model on the lines, or the batch's model)");
		}
		return this.model;
	}

	private static ApiError refuse(String provider, String param, String message) {
		return ApiError.invalid(param, message).withProvider(provider);
	}

}
