package dev.ferry.files;

import tools.jackson.databind.JsonNode;

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
}
