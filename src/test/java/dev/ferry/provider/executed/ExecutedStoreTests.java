package dev.ferry.provider.executed;

import java.util.List;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

import dev.ferry.support.InMemoryBlobStore;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A store may list the temporary object of a write under way beside the finished ones
 * (s3proxy does, as {@code <key>-<uuid>}): only a chunk's own number counts as committed,
 * and only Ferry's ids as open batches.
 */
class ExecutedStoreTests {

	@Test
	void countsOnlyCommittedChunksAndMintedIds() {
		InMemoryBlobStore blobs = new InMemoryBlobStore();
		ExecutedStore store = new ExecutedStore(blobs, JsonMapper.builder().build());
		String batch = "exec-01a2271cd726-0000-891d94d2";
		for (String key : List.of("results/3", "results/21-e3eaedda-531a-4073-ba7c-b195cd7ade67", "results/0")) {
			blobs.create("executed/vllm/" + batch + "/" + key, new byte[] { '\n' }).block();
		}
		blobs.create("executed/vllm/open/" + batch, new byte[0]).block();
		blobs.create("executed/vllm/open/" + batch + "-5b0f7e1c-0a7e-4d1e-9d6a-2f4f1e0c9b11", new byte[0]).block();
		assertThat(store.committed("vllm", batch).collectList().block()).containsExactlyInAnyOrder(0, 3);
		assertThat(store.open("vllm").collectList().block()).containsExactly(batch);
	}

}
