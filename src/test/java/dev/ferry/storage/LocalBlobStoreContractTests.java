package dev.ferry.storage;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import static org.assertj.core.api.Assertions.assertThat;

class LocalBlobStoreContractTests extends BlobStoreContract {

	@TempDir
	Path root;

	@Override
	BlobStore createStore() {
		return new LocalBlobStore(this.root);
	}

	@Override
	boolean compareAndSwapIsLinearizable() {
		return true;
	}

	@Test
	void leavesNothingBehindWhenTheContentFails() throws Exception {
		Flux<org.springframework.core.io.buffer.DataBuffer> failing = Flux.concat(Flux.just(buffer("partial")),
				Flux.error(new IllegalStateException("client went away")));
		assertThat(
				this.store.write("x/blob", failing).onErrorResume((error) -> Mono.empty()).block(Duration.ofSeconds(5)))
			.isNull();
		try (var files = Files.walk(this.root)) {
			assertThat(files.filter(Files::isRegularFile)).isEmpty();
		}
	}

}
