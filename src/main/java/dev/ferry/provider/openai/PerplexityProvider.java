package dev.ferry.provider.openai;

import java.util.HashSet;
import java.util.Set;
import java.util.function.Function;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import dev.ferry.auth.CallerHeaders;
import dev.ferry.batch.ProviderDescriptor;
import dev.ferry.batch.Sha256;
import dev.ferry.results.JsonLine;

import org.springframework.http.HttpHeaders;
import org.springframework.http.codec.multipart.PartEvent;

/**
 * Perplexity's Batch API, which runs Agent API requests in OpenAI's batch shape. It
 * validates every line of a file at upload, takes an {@code Idempotency-Key} on creates
 * (a repeat returns the first batch), and refuses {@code expires_after} on uploads and
 * {@code output_expires_after} on creates.
 */
final class PerplexityProvider extends OpenAiProvider {

	static final ProviderDescriptor DESCRIPTOR = ProviderDescriptor.builder("perplexity")
		.endpoints(OpenAiFamilies.RESPONSES)
		.limits(50_000, OpenAiFamilies.megabytes(200))
		.refusedCreateFields("output_expires_after")
		.refusedUploadFields("expires_after")
		.build();

	private final int maxLineBytes;

	PerplexityProvider(Setup setup) {
		super(setup);
		this.maxLineBytes = setup.maxLineBytes();
	}

	/**
	 * Every line is checked as the file streams by, as Perplexity checks it, so that a
	 * bad line is refused naming it, in the caller's dialect.
	 */
	@Override
	protected Flux<PartEvent> uploadParts(Flux<PartEvent> parts) {
		return UploadLines.map(parts, this.maxLineBytes, () -> new LineCheck(this.mapper, descriptor()));
	}

	/**
	 * The caller's key goes upstream scoped to the caller, so that two callers sharing
	 * Ferry's provider key can never be handed each other's batch.
	 */
	@Override
	protected void createHeaders(HttpHeaders headers, CallerHeaders caller) {
		caller.idempotencyKey()
			.ifPresent((key) -> headers.set("Idempotency-Key", Sha256.hex(caller.principal() + "\n" + key)));
	}

	/**
	 * Perplexity returns the first batch for a repeated key, so any transient failure may
	 * be retried.
	 */
	@Override
	protected Mono<JsonNode> creating(Mono<JsonNode> create) {
		return CallerHeaders.current()
			.flatMap((caller) -> caller.idempotencyKey().isPresent() ? this.retries.deduplicated(create) : create);
	}

	/**
	 * One upload's check: each line a JSON object with a {@code custom_id} used once, a
	 * {@code POST} to an endpoint Perplexity runs, and a body object.
	 */
	private static final class LineCheck implements Function<JsonLine, byte[]> {

		private final JsonMapper mapper;

		private final ProviderDescriptor descriptor;

		private final Set<String> customIds = new HashSet<>();

		LineCheck(JsonMapper mapper, ProviderDescriptor descriptor) {
			this.mapper = mapper;
			this.descriptor = descriptor;
		}

		@Override
		public byte[] apply(JsonLine line) {
			JsonNode node;
			try {
				node = this.mapper.readTree(line.bytes());
			}
			catch (JacksonException ex) {
				throw UploadLines.refused(line, "not valid JSON (" + ex.getOriginalMessage() + ")");
			}
			JsonNode customId = node.path("custom_id");
			if (!customId.isString() || customId.stringValue().isEmpty()) {
				throw UploadLines.refused(line, "custom_id missing (expected: a non-empty string)");
			}
			if (!this.customIds.add(customId.stringValue())) {
				throw UploadLines.refused(line,
						"custom_id '" + customId.stringValue() + "' is used twice (expected: unique ids)");
			}
			if (!"POST".equals(node.path("method").asString(""))) {
				throw UploadLines.refused(line, "method '" + node.path("method").asString("") + "' (expected: POST)");
			}
			String url = node.path("url").asString("");
			if (!this.descriptor.endpoints().contains(url)) {
				throw UploadLines.refused(line,
						"url '" + url + "' (expected one of: " + String.join(", ", this.descriptor.endpoints()) + ")");
			}
			if (!node.path("body").isObject()) {
				throw UploadLines.refused(line, "body missing (expected: the request object)");
			}
			return line.bytes();
		}

	}

}
