package dev.ferry.storage;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import dev.ferry.config.FerryProperties;
import dev.ferry.support.InMemoryBlobStore;

import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import org.springframework.core.io.buffer.DataBuffer;

import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.assertj.core.api.Assertions.assertThatNoException;

/**
 * The start-up probe accepts stores that keep create-only puts and refuses one that drops
 * the condition, as some proxies and emulators do.
 */
class StoreProbeTests {

	@TempDir
	Path root;

	@Test
	void acceptsStoresThatKeepCreateOnlyPuts() {
		assertThatNoException().isThrownBy(() -> StoreProbe.check(new LocalBlobStore(this.root), settings()));
		assertThatNoException().isThrownBy(() -> StoreProbe.check(new InMemoryBlobStore(), settings()));
	}

	@Test
	void refusesAStoreThatDropsTheCondition() {
		assertThatIllegalStateException().isThrownBy(() -> StoreProbe.check(new ConditionDropping(), settings()))
			.withMessageContaining("does not keep create-only puts")
			.withMessageContaining("If-None-Match: *");
	}

	private static FerryProperties.Storage settings() {
		return new Binder(new MapConfigurationPropertySource(java.util.Map.of("path", "/tmp/unused")))
			.bind("", Bindable.of(FerryProperties.Storage.class))
			.get();
	}

	/**
	 * Writes every create, whatever is there: what a proxy that drops the header does.
	 */
	private static final class ConditionDropping implements BlobStore {

		private final InMemoryBlobStore store = new InMemoryBlobStore();

		@Override
		public Mono<ConditionalWrite> create(String key, byte[] content) {
			return this.store.delete(key).then(this.store.create(key, content));
		}

		@Override
		public Mono<Long> write(String key, Flux<DataBuffer> content) {
			return this.store.write(key, content);
		}

		@Override
		public Flux<DataBuffer> read(String key, long offset) {
			return this.store.read(key, offset);
		}

		@Override
		public Mono<VersionedBlob> get(String key) {
			return this.store.get(key);
		}

		@Override
		public Mono<ConditionalWrite> replace(String key, byte[] content, BlobVersion expected) {
			return this.store.replace(key, content, expected);
		}

		@Override
		public Mono<Void> delete(String key) {
			return this.store.delete(key);
		}

		@Override
		public Flux<String> list(String folder) {
			return this.store.list(folder);
		}

		@Override
		public String describe() {
			return "a proxy dropping conditions";
		}

	}

}
