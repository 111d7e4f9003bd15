package dev.ferry.provider.anthropic;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.function.Supplier;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import dev.ferry.batch.ApiError;
import dev.ferry.batch.RandomIds;
import dev.ferry.provider.anthropic.KeptBatches.KeptBatch;
import dev.ferry.files.InputLines;
import dev.ferry.files.InputRequest;
import dev.ferry.translate.ChatToMessages;
import dev.ferry.upstream.StreamedArrayBody;

import org.springframework.core.io.buffer.DataBuffer;

/**
 * Creates Anthropic batches from OpenAI-shaped input (an uploaded JSONL file or inline
 * requests), at constant memory: a first pass over the requests translates and checks
 * every one, and counts the exact body size, so a bad request is refused with its line
 * before anything goes upstream; a second pass translates them again while streaming the
 * create body. Nothing is held whole, whatever the batch's size.
 */
final class AnthropicBatchCreation {

	/** The most requests one Anthropic batch takes. */
	static final int MAX_REQUESTS = 100_000;

	/** The largest create body Anthropic takes. */
	static final long MAX_BODY_BYTES = 256L * 1024 * 1024;

	static final String CHAT = "/v1/chat/completions";

	private static final byte[] OPEN = "{\"requests\":[".getBytes(StandardCharsets.UTF_8);

	private static final byte[] CLOSE = "]}".getBytes(StandardCharsets.UTF_8);

	private final String provider;

	private final AnthropicClient client;

	private final KeptBatches kept;

	private final ChatToMessages translator;

	private final JsonMapper mapper;

	private final InputLines lines;

	AnthropicBatchCreation(String provider, AnthropicClient client, KeptBatches kept, ChatToMessages translator,
			JsonMapper mapper, int maxLineBytes) {
		this.provider = provider;
		this.client = client;
		this.kept = kept;
		this.translator = translator;
		this.mapper = mapper;
		this.lines = new InputLines(provider, mapper, maxLineBytes);
	}

	/**
	 * Reads an OpenAI batch input file into requests, checking each line's envelope.
	 * @param content the file's bytes, read anew for each pass
	 * @param endpoint the batch endpoint, which every line's {@code url} must name
	 * @return the requests, read anew on each subscription
	 */
	Supplier<Flux<InputRequest>> fromFile(Supplier<Flux<DataBuffer>> content, String endpoint) {
		return () -> this.lines.read(content.get(), endpoint);
	}

	/**
	 * Creates the batch and keeps what Anthropic has no place for.
	 * @param requests the requests, read anew for each pass
	 * @param endpoint {@code /v1/chat/completions} (translated) or {@code /v1/messages},
	 * as the descriptor lets through
	 * @param model the batch's model, for requests that name none
	 * @param metadata the caller's metadata
	 * @param inputFileId the input file, if the batch comes from one
	 * @return the upstream's MessageBatch
	 */
	Mono<JsonNode> create(Supplier<Flux<InputRequest>> requests, String endpoint, @Nullable String model,
			@Nullable Map<String, String> metadata, @Nullable String inputFileId) {
		Supplier<Flux<Prepared>> prepared = () -> requests.get().map((request) -> prepare(request, endpoint, model));
		return prepared.get().reduce(new Summary(0, 0, false, 0), Summary::add).flatMap((summary) -> {
			check(summary);
			String table = (summary.hashed() > 0) ? RandomIds.hex(16) : null;
			Mono<Void> saveTable = (table != null) ? this.kept.saveCustomIds(this.provider, table,
					prepared.get()
						.filter((item) -> CustomIds.needsTable(item.sentId()))
						.map((item) -> Map.entry(item.sentId(), item.customId())))
					: Mono.empty();
			// Newer API versions refuse sampling parameters; the first version keeps
			// them.
			String version = (summary.sampling() && !AnthropicClient.DEFAULT_VERSION.equals(this.client.apiVersion()))
					? AnthropicClient.DEFAULT_VERSION : null;
			return saveTable.then(this.client.create(body(prepared), summary.bodyBytes(), version))
				.flatMap((batch) -> this.kept
					.save(this.provider, AnthropicWire.text(batch, "id"),
							new KeptBatch(metadata, endpoint, inputFileId, model, table))
					.thenReturn(batch));
		});
	}

	private Prepared prepare(InputRequest request, String endpoint, @Nullable String model) {
		ObjectNode params;
		try {
			params = CHAT.equals(endpoint) ? this.translator.translate(request.body(), model)
					: messagesParams(request.body(), model);
		}
		catch (ChatToMessages.TranslationException ex) {
			throw refuse(request.param(),
					request.where() + " (custom_id '" + request.customId() + "'): " + ex.getMessage());
		}
		String sentId = CustomIds.toAnthropic(request.customId());
		ObjectNode item = this.mapper.createObjectNode().put("custom_id", sentId);
		item.set("params", params);
		return new Prepared(request.customId(), sentId, this.mapper.writeValueAsBytes(item),
				ChatToMessages.usesSampling(params));
	}

	private static ObjectNode messagesParams(JsonNode body, @Nullable String model) {
		if (!body.isObject()) {
			throw new ChatToMessages.TranslationException("body: expected a JSON object (Messages params)");
		}
		ObjectNode params = ((ObjectNode) body).deepCopy();
		if (model != null && !params.has("model")) {
			params.put("model", model);
		}
		return params;
	}

	private void check(Summary summary) {
		if (summary.count() == 0) {
			throw refuse("input_file_id", "the batch has no requests (expected: at least one)");
		}
		if (summary.count() > MAX_REQUESTS) {
			throw refuse("input_file_id", "the batch has " + summary.count() + " requests (expected: at most "
					+ MAX_REQUESTS + " for provider '" + this.provider + "', Anthropic's limit)");
		}
		if (summary.bodyBytes() > MAX_BODY_BYTES) {
			throw ApiError.tooLarge(
					"the translated batch is " + summary.bodyBytes() + " bytes (expected: at most " + MAX_BODY_BYTES
							+ " for provider '" + this.provider + "', Anthropic's 256 MB limit; split the batch)");
		}
	}

	private static Flux<DataBuffer> body(Supplier<Flux<Prepared>> prepared) {
		return StreamedArrayBody.of(OPEN, prepared.get().map(Prepared::item), CLOSE);
	}

	private ApiError refuse(String param, String message) {
		return ApiError.invalid(param, message).withProvider(this.provider);
	}

	/** A translated request, serialized as one item of the create body. */
	private record Prepared(String customId, String sentId, byte[] item, boolean sampling) {
	}

	/** What the checking pass learned: enough to size and check the body. */
	private record Summary(long count, long bytes, boolean sampling, long hashed) {

		/**
		 * The create body's exact size: the items, the commas between them, the wrapper.
		 */
		long bodyBytes() {
			return StreamedArrayBody.size(OPEN.length, this.count, this.bytes, CLOSE.length);
		}

		Summary add(Prepared item) {
			return new Summary(this.count + 1, this.bytes + item.item().length, this.sampling || item.sampling(),
					this.hashed + (CustomIds.needsTable(item.sentId()) ? 1 : 0));
		}

	}

}
