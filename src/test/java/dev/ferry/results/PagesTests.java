package dev.ferry.results;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;

import static org.assertj.core.api.Assertions.assertThat;

class PagesTests {

	@Test
	void takesAPageAndPeeksOneMoreThenCancelsTheRest() {
		AtomicLong requested = new AtomicLong();
		AtomicBoolean cancelled = new AtomicBoolean();
		Flux<Integer> items = Flux.range(1, 1_000_000)
			.doOnRequest((n) -> requested.accumulateAndGet(n, (a, b) -> Math.min(Long.MAX_VALUE, a + b)))
			.doOnCancel(() -> cancelled.set(true));
		StepVerifier.create(Pages.of(items, 3)).assertNext((page) -> {
			assertThat(page.items()).containsExactly(1, 2, 3);
			assertThat(page.hasMore()).isTrue();
			assertThat(page.last()).isEqualTo(3);
		}).expectComplete().verify(Duration.ofSeconds(5));
		assertThat(cancelled).as("the stream is cancelled after the peeked item").isTrue();
		assertThat(requested.get()).as("nothing is asked for beyond the page and the peek").isLessThanOrEqualTo(4);
	}

	@Test
	void theLastPageHasNoMore() {
		StepVerifier.create(Pages.of(Flux.just("a", "b"), 2)).assertNext((page) -> {
			assertThat(page.items()).containsExactly("a", "b");
			assertThat(page.hasMore()).isFalse();
		}).expectComplete().verify(Duration.ofSeconds(5));
		StepVerifier.create(Pages.of(Flux.<String>empty(), 5)).assertNext((page) -> {
			assertThat(page.items()).isEmpty();
			assertThat(page.last()).isNull();
			assertThat(page.hasMore()).isFalse();
		}).expectComplete().verify(Duration.ofSeconds(5));
	}

	@Test
	void aFailureBeforeThePageIsFullFailsThePageRatherThanShorteningIt() {
		Flux<Integer> broken = Flux.concat(Flux.just(1, 2), Flux.error(new IllegalStateException("connection lost")));
		StepVerifier.create(Pages.of(broken, 5)).expectErrorMessage("connection lost").verify(Duration.ofSeconds(5));
	}

	@Test
	void walksEveryItemExactlyOnceAcrossPages() {
		List<Integer> all = new java.util.ArrayList<>();
		int from = 0;
		boolean more = true;
		while (more) {
			int start = from;
			Pages.Page<Integer> page = Pages.of(Flux.range(0, 100).skip(start), 7).block(Duration.ofSeconds(5));
			all.addAll(page.items());
			from += page.items().size();
			more = page.hasMore();
		}
		assertThat(all).containsExactlyElementsOf(Flux.range(0, 100).collectList().block());
	}

}
