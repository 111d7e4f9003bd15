package dev.ferry.provider.anthropic;

import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

import dev.ferry.config.FerryProperties;
import dev.ferry.results.JsonLines;
import dev.ferry.storage.BlobStore;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.stereotype.Component;

/**
 * What Ferry keeps about the Anthropic batches it creates, in the blob store, because
 * Anthropic has no place for it: the caller's metadata, the OpenAI-side endpoint, input
 * file and model, and the table of {@code custom_id}s too long to encode.
 */
@Component
class KeptBatches {

	private final BlobStore blobs;

	private final JsonMapper mapper;

	/** A table line holds one caller's id, which came from one input line. */
	private final int maxLineBytes;

	KeptBatches(BlobStore blobs, JsonMapper mapper, FerryProperties properties) {
		this.blobs = blobs;
		this.mapper = mapper;
		this.maxLineBytes = (int) properties.files().maxLineSize().toBytes();
	}

	Mono<Void> save(String provider, String batchId, KeptBatch batch) {
		return this.blobs.write(key(provider, batchId), Flux.just(wrap(this.mapper.writeValueAsBytes(batch)))).then();
	}

	/**
	 * What was kept for a batch.
	 * @param provider the provider name
	 * @param batchId the native batch id
	 * @return the record, or empty for a batch Ferry did not create
	 */
	Mono<KeptBatch> load(String provider, String batchId) {
		return this.blobs.get(key(provider, batchId))
			.map((found) -> this.mapper.readValue(found.bytes(), KeptBatch.class));
	}

	/**
	 * What was kept for a batch, if anything, as a value to combine with others.
	 * @param provider the provider name
	 * @param batchId the native batch id
	 * @return the record, or an empty optional for a batch Ferry did not create
	 */
	Mono<Optional<KeptBatch>> find(String provider, String batchId) {
		return load(provider, batchId).map(Optional::of).defaultIfEmpty(Optional.empty());
	}

	Mono<Void> delete(String provider, String batchId) {
		return this.blobs.delete(key(provider, batchId)).then();
	}

	/**
	 * Stores a table of long {@code custom_id}s as JSONL, one {@code [sent, original]}
	 * pair per line.
	 * @param provider the provider name
	 * @param table the table's name
	 * @param pairs the pairs
	 * @return completion
	 */
	Mono<Void> saveCustomIds(String provider, String table, Flux<Map.Entry<String, String>> pairs) {
		Flux<DataBuffer> lines = pairs
			.map((pair) -> JsonLines.line(this.mapper, new String[] { pair.getKey(), pair.getValue() }));
		return this.blobs.write(tableKey(provider, table), lines).then();
	}

	/**
	 * Loads a table of long {@code custom_id}s; its size is that of the long ids alone.
	 * @param provider the provider name
	 * @param table the table's name
	 * @return sent id to original id
	 */
	Mono<Map<String, String>> loadCustomIds(String provider, String table) {
		return JsonLines.frame(this.blobs.read(tableKey(provider, table)), this.maxLineBytes)
			.map((line) -> this.mapper.readValue(line.text(), String[].class))
			.collectMap((pair) -> pair[0], (pair) -> pair[1]);
	}

	/**
	 * How the {@code custom_id}s in a batch's results read back as the caller's. Ferry
	 * rewrote the ids of the batches it created from the canonical model (those it kept);
	 * any other batch carries the caller's own ids.
	 * @param provider the provider name
	 * @param kept what Ferry kept for the batch, if anything
	 * @return the mapping, loading the batch's table of long ids if it has one
	 */
	Mono<UnaryOperator<String>> customIds(String provider, @Nullable KeptBatch kept) {
		if (kept == null) {
			return Mono.just(UnaryOperator.identity());
		}
		Mono<Map<String, String>> table = (kept.customIdTable() != null) ? loadCustomIds(provider, kept.customIdTable())
				: Mono.just(Map.of());
		return table.map((longIds) -> (sent) -> CustomIds.fromAnthropic(sent, longIds));
	}

	private static DataBuffer wrap(byte[] bytes) {
		return DefaultDataBufferFactory.sharedInstance.wrap(bytes);
	}

	private static String key(String provider, String batchId) {
		return "held/" + provider + "/batches/" + batchId + ".json";
	}

	private static String tableKey(String provider, String table) {
		return "held/" + provider + "/custom-ids/" + table + ".jsonl";
	}

	/**
	 * A kept batch.
	 *
	 * @param metadata the caller's metadata
	 * @param endpoint the endpoint the caller's requests target: {@code /v1/messages} or
	 * {@code /v1/chat/completions} (translated)
	 * @param inputFileId the input file the batch was created from, if any
	 * @param model the batch's model, if the caller named one
	 * @param customIdTable the name of the long {@code custom_id} table, if there is one
	 */
	record KeptBatch(@Nullable Map<String, String> metadata, String endpoint, @Nullable String inputFileId,
			@Nullable String model, @Nullable String customIdTable) {

		boolean translated() {
			return !AnthropicWire.ENDPOINT.equals(this.endpoint);
		}

	}

}
