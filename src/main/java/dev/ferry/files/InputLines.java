package dev.ferry.files;

import reactor.core.publisher.Flux;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import dev.ferry.batch.ApiError;
import dev.ferry.results.JsonLine;
import dev.ferry.results.JsonLines;

import org.springframework.core.io.buffer.DataBuffer;

/**
 * Reads an OpenAI batch input file held by Ferry into requests, checking each line's
 * envelope as it streams, so that a provider which takes requests in another shape gets
 * only lines that are whole and aimed at the batch's endpoint, and a bad line is refused
 * with its number before anything goes upstream.
 */
public final class InputLines {

	private static final String PARAM = "input_file_id";

	private final String provider;

	private final JsonMapper mapper;

	private final int maxLineBytes;

	public InputLines(String provider, JsonMapper mapper, int maxLineBytes) {
		this.provider = provider;
		this.mapper = mapper;
		this.maxLineBytes = maxLineBytes;
	}

	/**
	 * The requests of an input file, read lazily.
	 * @param content the file's bytes
	 * @param endpoint the batch endpoint, which every line's {@code url} must name
	 * @return the requests; a 400 naming the first line that is wrong
	 */
	public Flux<InputRequest> read(Flux<DataBuffer> content, String endpoint) {
		return JsonLines.frame(content, this.maxLineBytes).map((line) -> request(line, endpoint));
	}

	/**
	 * Reads one framed line into a request, checking its envelope.
	 * @param line the line
	 * @param endpoint the batch endpoint, which its {@code url} must name
	 * @return the request; a 400 naming the line if it is wrong
	 */
	public InputRequest request(JsonLine line, String endpoint) {
		String where = "input file line " + line.number();
		JsonNode node;
		try {
			node = this.mapper.readTree(line.text());
		}
		catch (JacksonException ex) {
			throw refuse(where + ": not valid JSON (" + ex.getOriginalMessage() + ")");
		}
		JsonNode customId = node.path("custom_id");
		if (!customId.isString() || customId.stringValue().isEmpty()) {
			throw refuse(where + ": custom_id missing (expected: a non-empty string)");
		}
		if (!"POST".equals(node.path("method").asString(""))) {
			throw refuse(where + ": method '" + node.path("method").asString("") + "' (expected: POST)");
		}
		if (!endpoint.equals(node.path("url").asString(""))) {
			throw refuse(where + ": url '" + node.path("url").asString("") + "' (expected: the batch endpoint "
					+ endpoint + ")");
		}
		return new InputRequest(customId.stringValue(), node.path("body"), where, PARAM);
	}

	private ApiError refuse(String message) {
		return ApiError.invalid(PARAM, message).withProvider(this.provider);
	}

}
