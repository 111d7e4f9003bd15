package dev.ferry.dialect.anthropic;

import java.util.List;
import java.util.Objects;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Stream;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import dev.ferry.batch.ApiError;
import dev.ferry.batch.Batch;
import dev.ferry.batch.BatchProvider;
import dev.ferry.batch.BatchService;
import dev.ferry.batch.CreateBatchBody;
import dev.ferry.batch.FerryIds;
import dev.ferry.batch.ModelRef;
import dev.ferry.batch.PageQuery;
import dev.ferry.config.FerryProperties;
import dev.ferry.results.JsonLines;
import dev.ferry.translate.ChatToMessage;
import dev.ferry.translate.MessagesToChat;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.stereotype.Component;

/**
 * Anthropic's Message Batches API on OpenAI-format providers: requests are translated
 * into {@code chat.completions} lines (or, for providers that run {@code /v1/messages}
 * requests, kept as they are) and uploaded as a file, the batch is shown in Anthropic's
 * shape under a Ferry-minted {@code msgbatch_} id, and the output and error files are
 * merged into one stream of Anthropic result lines.
 */
@Component
class CrossFormatBatches {

	static final String ID_PREFIX = "msgbatch_";

	private static final String CHAT = "/v1/chat/completions";

	private static final String MESSAGES = "/v1/messages";

	private final BatchService service;

	private final JsonMapper mapper;

	private final ChatToMessage results;

	private final int maxLineBytes;

	CrossFormatBatches(BatchService service, JsonMapper mapper, FerryProperties properties) {
		this.service = service;
		this.mapper = mapper;
		this.results = new ChatToMessage(mapper);
		this.maxLineBytes = (int) properties.files().maxLineSize().toBytes();
	}

	Mono<ObjectNode> create(BatchProvider provider, JsonNode requests, Function<String, String> resultsUrl) {
		return Mono.defer(() -> {
			// A provider that runs Messages requests itself (Claude on a cloud) gets them
			// untranslated; any other gets chat requests.
			boolean asItIs = provider.descriptor().endpoints().contains(MESSAGES);
			ArrayNode lines = this.mapper.createArrayNode();
			TreeSet<String> models = new TreeSet<>();
			for (JsonNode request : requests) {
				String customId = request.path("custom_id").asString("");
				JsonNode params = request.path("params");
				if (!params.isObject()) {
					throw ApiError.invalid("requests", "request '" + customId + "': params must be an object");
				}
				JsonNode body = asItIs ? params : MessagesToChat.translate(customId, params);
				models.add(body.path("model").asString(""));
				lines.addObject().put("custom_id", customId).set("body", body);
			}
			if (models.size() > 1) {
				throw ApiError.invalid("requests", "requests use several models (" + String.join(", ", models)
						+ "); provider '" + provider.name() + "' runs one model per batch");
			}
			CreateBatchBody body = new CreateBatchBody(null, null, asItIs ? MESSAGES : CHAT, "24h", null, lines, null,
					this.mapper.createObjectNode());
			return this.service.create(provider, body, new ModelRef(null, null))
				.map((batch) -> render(provider, batch, resultsUrl));
		});
	}

	Mono<ObjectNode> retrieve(BatchProvider provider, String nativeId, Function<String, String> resultsUrl) {
		return this.service.retrieve(provider, nativeId).map((batch) -> render(provider, batch, resultsUrl));
	}

	Mono<ObjectNode> cancel(BatchProvider provider, String nativeId, Function<String, String> resultsUrl) {
		return this.service.cancel(provider, nativeId).map((batch) -> render(provider, batch, resultsUrl));
	}

	Mono<ObjectNode> list(BatchProvider provider, int limit, String afterNativeId,
			Function<String, String> resultsUrl) {
		return this.service.list(provider, new PageQuery(Math.min(limit, 100), afterNativeId, null, null))
			.map((page) -> {
				ObjectNode node = this.mapper.createObjectNode();
				ArrayNode data = node.putArray("data");
				page.data().forEach((batch) -> data.add(render(provider, batch, resultsUrl)));
				node.put("has_more", page.hasMore());
				node.put("first_id", data.isEmpty() ? null : data.get(0).path("id").asString());
				node.put("last_id", data.isEmpty() ? null : data.get(data.size() - 1).path("id").asString());
				return node;
			});
	}

	/**
	 * Deletes an ended batch the only way an OpenAI-format provider allows: by deleting
	 * its files.
	 */
	Mono<ObjectNode> delete(BatchProvider provider, String nativeId, String id) {
		return this.service.deleteBatch(provider, nativeId)
			.map((deleted) -> this.mapper.createObjectNode().put("id", id).put("type", "message_batch_deleted"));
	}

	/**
	 * The results of an ended batch: output lines first, then error lines, each
	 * translated as it streams by. The batch is checked before the stream is handed out,
	 * so a batch that has not ended gets an error response rather than a broken stream.
	 */
	Mono<Flux<DataBuffer>> results(BatchProvider provider, String nativeId) {
		return ended(provider, nativeId, "read").map((batch) -> Flux.fromIterable(files(batch))
			.concatMap((fileId) -> this.service.fileContent(provider, fileId)
				.flatMapMany((content) -> JsonLines.frame(content.body(), this.maxLineBytes)))
			.map((line) -> this.results.resultLine(this.mapper.readTree(line.text())))
			.map((result) -> JsonLines.line(this.mapper, result)));
	}

	private static List<String> files(Batch batch) {
		return Stream.of(batch.outputFileId(), batch.errorFileId()).filter(Objects::nonNull).toList();
	}

	private Mono<Batch> ended(BatchProvider provider, String nativeId, String action) {
		return this.service.retrieve(provider, nativeId).flatMap((batch) -> {
			if (!batch.status().isTerminal()) {
				return Mono.error(new ApiError(409, "invalid_request_error", "batch_not_ended",
						"message batch " + FerryIds.mint(ID_PREFIX, provider.name(), nativeId) + " is '"
								+ batch.status().wireName() + "': it can be " + action
								+ " once its processing has ended",
						null, provider.name()));
			}
			return Mono.just(batch);
		});
	}

	private static ObjectNode render(BatchProvider provider, Batch batch, Function<String, String> resultsUrl) {
		// Providers whose ids Ferry mints already give the minted batch id; the message
		// batch id carries the native one either way.
		String nativeId = FerryIds.decode("batch_", batch.id())
			.filter((minted) -> minted.provider().equals(provider.name()))
			.map(FerryIds.Minted::nativeId)
			.orElse(batch.id());
		String id = FerryIds.mint(ID_PREFIX, provider.name(), nativeId);
		return MessageBatchObjects.batchToWire(batch, id, resultsUrl.apply(id));
	}

}
