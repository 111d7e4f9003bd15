package dev.ferry.files;

import tools.jackson.databind.JsonNode;

import dev.ferry.batch.ApiError;

/**
 * One caller request of a batch, read from an input file line or an inline request,
 * before any provider's translation.
 *
 * @param customId the caller's id
 * @param body the request body
 * @param where where it is, for error messages: a line or an index
 * @param param the create parameter errors are reported on
 */
public record InputRequest(String customId, JsonNode body, String where, String param) {

	/**
	 * The 400 that refuses this request, naming where it is and its id.
	 * @param reason what the provider cannot take, and what it accepts
	 * @return the error, to throw
	 */
	public ApiError refused(String reason) {
		return ApiError.invalid(this.param, this.where + " (custom_id '" + this.customId + "'): " + reason);
	}

}
