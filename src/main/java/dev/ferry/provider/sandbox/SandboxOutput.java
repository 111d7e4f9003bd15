package dev.ferry.provider.sandbox;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import dev.ferry.batch.BatchError;
import dev.ferry.batch.FerryIds;
import dev.ferry.results.JsonLine;
import dev.ferry.results.JsonLines;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;

/**
 * Reads a sandbox batch's input as a stream and derives everything else from it: the
 * validation, the output and error lines, their counts. Nothing is kept per request, so a
 * batch of any size costs the same memory.
 */
final class SandboxOutput {

	private static final int MAX_BATCH_ERRORS = 10;

	/** Output lines are written in groups, to avoid one buffer per small line. */
	private static final int LINES_PER_BUFFER = 256;

	private final SandboxFiles files;

	private final EchoResponder echo = new EchoResponder();

	private final JsonMapper mapper;

	private final int maxLineBytes;

	SandboxOutput(SandboxFiles files, JsonMapper mapper, int maxLineBytes) {
		this.files = files;
		this.mapper = mapper;
		this.maxLineBytes = maxLineBytes;
	}

	/** One request's result line, bound for the output or the error file. */
	record ResultLine(boolean error, boolean canceled, String json) {
	}

	Mono<Validation> validate(String inputFileId, String endpoint) {
		return Mono.defer(() -> {
			ValidationTally tally = new ValidationTally();
			return requests(inputFileId).doOnNext((line) -> tally.add(line, endpoint))
				.then(Mono.fromSupplier(tally::result));
		});
	}

	/**
	 * Every request's result line, in input order.
	 * @param batch the batch
	 * @param processed how many requests ran; the rest were canceled
	 * @return the lines
	 */
	Flux<ResultLine> results(SandboxBatch batch, long processed) {
		long created = batch.timeline.inProgressAt().getEpochSecond();
		return requests(batch.inputFileId).index().map((indexed) -> {
			long number = indexed.getT1() + 1;
			JsonNode request = indexed.getT2().json();
			String id = FerryIds.stable(batch.id + "/" + number);
			String customId = request.path("custom_id").asString("");
			if (number > processed) {
				return line(true, true, id, customId, null, canceled());
			}
			EchoResponder.Outcome outcome = this.echo.respond(batch.endpoint, request.path("body"), id, created);
			if (outcome instanceof EchoResponder.Success success) {
				return line(false, false, id, customId, response(200, id, success.body()), null);
			}
			return line(true, false, id, customId, response(400, id, errorBody((EchoResponder.Failure) outcome)), null);
		});
	}

	/**
	 * Counts a finished batch's results and the sizes of its two files, in one pass.
	 * @param batch the batch
	 * @param processed how many requests ran
	 * @return the tally
	 */
	Mono<Tally> count(SandboxBatch batch, long processed) {
		return results(batch, processed).reduce(new Tally(), Tally::add);
	}

	/** Counts of a batch's results, and the bytes of its output and error files. */
	static final class Tally {

		long succeeded;

		long failed;

		long canceled;

		long outputBytes;

		long errorBytes;

		Tally add(ResultLine line) {
			long bytes = line.json().getBytes(StandardCharsets.UTF_8).length + 1;
			if (line.error()) {
				this.failed++;
				this.errorBytes += bytes;
			}
			else {
				this.succeeded++;
				this.outputBytes += bytes;
			}
			this.canceled += line.canceled() ? 1 : 0;
			return this;
		}

	}

	Flux<DataBuffer> content(SandboxBatch batch, long processed, boolean errors) {
		return results(batch, processed).filter((line) -> line.error() == errors)
			.map(ResultLine::json)
			.buffer(LINES_PER_BUFFER)
			.map((lines) -> DefaultDataBufferFactory.sharedInstance
				.wrap((String.join("\n", lines) + "\n").getBytes(StandardCharsets.UTF_8)));
	}

	private Flux<ParsedLine> requests(String inputFileId) {
		return JsonLines.frame(this.files.uploadedContent(inputFileId), this.maxLineBytes).map(this::parse);
	}

	private ParsedLine parse(JsonLine line) {
		try {
			return new ParsedLine(line.number(), this.mapper.readTree(line.text()));
		}
		catch (JacksonException ex) {
			return new ParsedLine(line.number(), this.mapper.nullNode());
		}
	}

	private ResultLine line(boolean error, boolean canceled, String id, String customId, @Nullable ObjectNode response,
			@Nullable ObjectNode lineError) {
		ObjectNode line = this.mapper.createObjectNode();
		line.put("id", "batch_req_" + id);
		line.put("custom_id", customId);
		line.set("response", (response != null) ? response : this.mapper.nullNode());
		line.set("error", (lineError != null) ? lineError : this.mapper.nullNode());
		return new ResultLine(error, canceled, this.mapper.writeValueAsString(line));
	}

	private ObjectNode response(int status, String id, ObjectNode body) {
		ObjectNode response = this.mapper.createObjectNode();
		response.put("status_code", status);
		response.put("request_id", "req_" + id);
		response.set("body", body);
		return response;
	}

	private ObjectNode errorBody(EchoResponder.Failure failure) {
		ObjectNode body = this.mapper.createObjectNode();
		ObjectNode error = body.putObject("error");
		error.put("message", failure.message());
		error.put("type", "invalid_request_error");
		error.put("param", failure.param());
		error.putNull("code");
		return body;
	}

	private ObjectNode canceled() {
		ObjectNode error = this.mapper.createObjectNode();
		error.put("code", "batch_cancelled");
		error.put("message", "The batch was cancelled before this request ran.");
		return error;
	}

	/** An input line and its JSON, or JSON null if it did not parse. */
	private record ParsedLine(long number, JsonNode json) {
	}

	/** Tallies a validation pass, keeping only counts and the first few errors. */
	private final class ValidationTally {

		private long total;

		private long requestErrors;

		private @Nullable String model;

		private final List<BatchError> errors = new ArrayList<>();

		void add(ParsedLine line, String endpoint) {
			this.total++;
			JsonNode request = line.json();
			JsonNode body = request.path("body");
			if (!request.path("custom_id").isString() || request.path("custom_id").stringValue().isEmpty()) {
				error("missing_custom_id", "custom_id: missing (expected: a non-empty string)", "custom_id", line);
			}
			else if (!"POST".equals(request.path("method").asString(""))) {
				error("invalid_method", "method: expected POST", "method", line);
			}
			else if (!endpoint.equals(request.path("url").asString(""))) {
				error("url_mismatch", "url: '" + request.path("url").asString("") + "' (expected: the batch endpoint "
						+ endpoint + ")", "url", line);
			}
			else if (!body.isObject()) {
				error("invalid_body", "body: expected a JSON object", "body", line);
			}
			else {
				checkModel(body, line);
				if (SandboxOutput.this.echo.respond(endpoint, body, "", 0) instanceof EchoResponder.Failure) {
					this.requestErrors++;
				}
			}
		}

		private void checkModel(JsonNode body, ParsedLine line) {
			String lineModel = body.path("model").asString(null);
			if (this.total == 1) {
				this.model = lineModel;
			}
			else if (lineModel != null && this.model != null && !lineModel.equals(this.model)) {
				error("model_mismatch", "model: '" + lineModel + "' differs from the first request's '" + this.model
						+ "' (expected: one model per batch)", "body.model", line);
			}
		}

		private void error(String code, String message, String param, ParsedLine line) {
			if (this.errors.size() < MAX_BATCH_ERRORS) {
				this.errors.add(new BatchError(code, "line " + line.number() + ": " + message, param, line.number()));
			}
		}

		Validation result() {
			if (this.total == 0) {
				this.errors.add(new BatchError("empty_file", "the input file has no requests", null, null));
			}
			return new Validation(this.total, this.requestErrors, this.model, List.copyOf(this.errors));
		}

	}

}
