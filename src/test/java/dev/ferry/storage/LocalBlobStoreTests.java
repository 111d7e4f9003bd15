package dev.ferry.storage;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Flux;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class LocalBlobStoreTests {

	@TempDir
	Path root;

	@Test
	void writesReadsAndDeletesABlob() {
		LocalBlobStore store = new LocalBlobStore(this.root);
		Long written = store.write("a/b/blob", Flux.just(buffer("hello "), buffer("world")))
			.block(Duration.ofSeconds(5));
		assertThat(written).isEqualTo(11);
		String read = DataBufferUtils.join(store.read("a/b/blob"))
			.map((buffer) -> buffer.toString(StandardCharsets.UTF_8))
			.block(Duration.ofSeconds(5));
		assertThat(read).isEqualTo("hello world");
		assertThat(store.delete("a/b/blob").block(Duration.ofSeconds(5))).isTrue();
		assertThat(store.delete("a/b/blob").block(Duration.ofSeconds(5))).isFalse();
	}

	@Test
	void leavesNothingBehindWhenTheContentFails() throws Exception {
		LocalBlobStore store = new LocalBlobStore(this.root);
		Flux<DataBuffer> failing = Flux.concat(Flux.just(buffer("partial")),
				Flux.error(new IllegalStateException("client went away")));
		assertThat(store.write("x/blob", failing)
			.onErrorResume((error) -> reactor.core.publisher.Mono.empty())
			.block(Duration.ofSeconds(5))).isNull();
		try (var files = Files.walk(this.root)) {
			assertThat(files.filter(Files::isRegularFile)).isEmpty();
		}
	}

	@Test
	void listsTheBlobsOfAFolderButNotItsSubfolders() {
		LocalBlobStore store = new LocalBlobStore(this.root);
		assertThat(store.list("held/none").collectList().block(Duration.ofSeconds(5))).isEmpty();
		store.write("held/p/one.json", Flux.just(buffer("1"))).block(Duration.ofSeconds(5));
		store.write("held/p/two.json", Flux.just(buffer("2"))).block(Duration.ofSeconds(5));
		store.write("held/p/deeper/three.json", Flux.just(buffer("3"))).block(Duration.ofSeconds(5));
		assertThat(store.list("held/p").collectList().block(Duration.ofSeconds(5)))
			.containsExactlyInAnyOrder("one.json", "two.json");
	}

	@Test
	void refusesKeysThatCouldEscapeTheRoot() {
		LocalBlobStore store = new LocalBlobStore(this.root);
		assertThatIllegalArgumentException().isThrownBy(() -> store.read("../etc/passwd"));
		assertThatIllegalArgumentException().isThrownBy(() -> store.read("/etc/passwd"));
		assertThatIllegalArgumentException().isThrownBy(() -> store.read("a b"));
	}

	private static DataBuffer buffer(String text) {
		return DefaultDataBufferFactory.sharedInstance.wrap(text.getBytes(StandardCharsets.UTF_8));
	}

}
