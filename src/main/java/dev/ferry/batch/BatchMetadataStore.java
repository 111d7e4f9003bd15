package dev.ferry.batch;

import java.nio.charset.StandardCharsets;
import java.util.Map;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

import dev.ferry.storage.BlobNotFoundException;
import dev.ferry.storage.BlobStore;

import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.stereotype.Component;

/**
 * Keeps the metadata of batches on providers that have no batch metadata (Anthropic), in
 * the blob store, so that no replica loses what the caller sent.
 */
@Component
public class BatchMetadataStore {

	private static final TypeReference<Map<String, String>> MAP = new TypeReference<>() {
	};

	private final BlobStore blobs;

	private final JsonMapper mapper;

	public BatchMetadataStore(BlobStore blobs, JsonMapper mapper) {
		this.blobs = blobs;
		this.mapper = mapper;
	}

	/**
	 * Saves a batch's metadata; nothing is written for none.
	 * @param provider the provider name
	 * @param batchId the provider's batch id
	 * @param metadata the metadata, or {@code null}
	 * @return completion
	 */
	public Mono<Void> save(String provider, String batchId, @Nullable Map<String, String> metadata) {
		if (metadata == null) {
			return Mono.empty();
		}
		byte[] json = this.mapper.writeValueAsBytes(metadata);
		return this.blobs.write(key(provider, batchId), Flux.just(DefaultDataBufferFactory.sharedInstance.wrap(json)))
			.then();
	}

	/**
	 * A batch's metadata.
	 * @param provider the provider name
	 * @param batchId the provider's batch id
	 * @return the metadata, or empty when none was saved
	 */
	public Mono<Map<String, String>> load(String provider, String batchId) {
		return DataBufferUtils.join(this.blobs.read(key(provider, batchId))).map((buffer) -> {
			try {
				return this.mapper.readValue(buffer.toString(StandardCharsets.UTF_8), MAP);
			}
			finally {
				DataBufferUtils.release(buffer);
			}
		}).onErrorResume(BlobNotFoundException.class, (ex) -> Mono.empty());
	}

	private static String key(String provider, String batchId) {
		return "metadata/" + provider + "/" + batchId + ".json";
	}

}
