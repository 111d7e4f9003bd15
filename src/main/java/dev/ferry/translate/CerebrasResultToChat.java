package dev.ferry.translate;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import dev.ferry.batch.ApiError;
import dev.ferry.batch.FerryIds;
import dev.ferry.results.JsonLine;

/**
 * Cerebras' result lines ({@code {custom_id, status, response | error}}) as OpenAI output
 * and error lines, the pivot's result format: {@code succeeded} becomes an output line
 * whose body is the {@code chat.completion}; {@code failed} an error line carrying
 * Cerebras' error code and message (Cerebras gives no HTTP status, so none is made up);
 * {@code expired} an error line with OpenAI's {@code batch_expired} code.
 */
public final class CerebrasResultToChat {

	private final JsonMapper mapper;

	public CerebrasResultToChat(JsonMapper mapper) {
		this.mapper = mapper;
	}

	/**
	 * Reads one result line.
	 * @param line the line
	 * @param batchId the batch, for the stable line ids
	 * @return the OpenAI line, and whether it belongs in the output file
	 * @throws ApiError 502 for a line that is not a result
	 */
	public Translated translate(JsonLine line, String batchId) {
		JsonNode result = read(line);
		String customId = result.path("custom_id").asString("");
		String status = result.path("status").asString("");
		ObjectNode out = this.mapper.createObjectNode();
		out.put("id", "batch_req_" + FerryIds.stable(batchId + "\n" + customId));
		out.put("custom_id", customId);
		if (status.equals("succeeded")) {
			JsonNode response = result.path("response");
			ObjectNode wrapped = out.putObject("response");
			wrapped.put("status_code", 200);
			wrapped.put("request_id", FerryIds.stable("request\n" + batchId + "\n" + customId));
			wrapped.set("body", response);
			out.putNull("error");
			return new Translated(this.mapper.writeValueAsBytes(out), true);
		}
		JsonNode error = result.path("error");
		out.putNull("response");
		out.putObject("error")
			.put("code", status.equals("expired") ? "batch_expired" : error.path("code").asString(status))
			.put("message", error.path("message").asString("the request " + status));
		return new Translated(this.mapper.writeValueAsBytes(out), false);
	}

	private JsonNode read(JsonLine line) {
		try {
			JsonNode node = this.mapper.readTree(line.bytes());
			if (node.isObject() && node.path("status").isString()) {
				return node;
			}
		}
		catch (JacksonException ex) {
			// Reported below.
		}
		throw new ApiError(502, "api_error", "bad_result_line",
				"the provider's results hold a line that is not a " + "Cerebras result, ending at byte " + line.end(),
				null, null);
	}

	/**
	 * A translated line.
	 *
	 * @param line the OpenAI line's JSON, without a terminator
	 * @param succeeded whether it belongs in the output file (else the error file)
	 */
	public record Translated(byte[] line, boolean succeeded) {
	}

}
