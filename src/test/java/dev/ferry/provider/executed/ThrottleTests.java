package dev.ferry.provider.executed;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;
import reactor.core.Disposable;

import dev.ferry.provider.executed.Throttle.Permit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * The throttle of one provider's executed batches: places in flight, their adaptive
 * limit, the per-minute limits and the share of each replica, on a clock the test moves.
 */
class ThrottleTests {

	private static final long SECOND = Duration.ofSeconds(1).toNanos();

	private final AtomicLong now = new AtomicLong(1_000 * SECOND);

	private final AtomicInteger replicas = new AtomicInteger(1);

	@Test
	void grantsPlacesUpToTheLimitAndTheNextOnARelease() {
		Throttle throttle = throttle(4, 0, 0, 0);
		List<Permit> permits = acquire(throttle, 4);
		AtomicReference<Permit> fifth = new AtomicReference<>();
		throttle.acquire(0).subscribe(fifth::set);
		assertThat(permits).hasSize(4);
		assertThat(fifth).hasNullValue();
		assertThat(throttle.inUse()).isEqualTo(4);
		permits.get(0).release();
		permits.get(0).release();
		assertThat(fifth).doesNotHaveNullValue();
		assertThat(throttle.inUse()).isEqualTo(4);
	}

	@Test
	void aWaiterThatGivesUpTakesNoPlace() {
		Throttle throttle = throttle(2, 0, 0, 0);
		List<Permit> permits = acquire(throttle, 2);
		AtomicReference<Permit> late = new AtomicReference<>();
		Disposable waiting = throttle.acquire(0).subscribe(late::set);
		waiting.dispose();
		permits.get(0).release();
		assertThat(late).hasNullValue();
		assertThat(throttle.inUse()).isEqualTo(1);
	}

	@Test
	void headroomIsLeftUnused() {
		assertThat(throttle(10, 0, 0, 20).limit()).isEqualTo(8);
		assertThat(throttle(1, 0, 0, 50).limit()).isEqualTo(1);
		assertThatIllegalArgumentException().isThrownBy(() -> throttle(8, 1, 0, 50))
			.withMessageContaining("headroom-percent");
	}

	@Test
	void aRateLimitHalvesTheLimitOncePerRoundAndGoodAnswersGrowItBack() {
		Throttle throttle = throttle(8, 0, 0, 0);
		List<Permit> round = acquire(throttle, 8);
		this.now.addAndGet(SECOND);
		throttle.answered(round.get(0), true, null);
		assertThat(throttle.limit()).isEqualTo(4);
		// Answers to requests sent before the cut do not cut again.
		throttle.answered(round.get(1), true, null);
		assertThat(throttle.limit()).isEqualTo(4);
		round.forEach(Permit::release);
		this.now.addAndGet(SECOND);
		List<Permit> next = acquire(throttle, 4);
		assertThat(throttle.inUse()).isEqualTo(4);
		this.now.addAndGet(SECOND);
		throttle.answered(next.get(0), true, null);
		assertThat(throttle.limit()).isEqualTo(2);
		// Additive increase: one more place for every `limit` good answers.
		throttle.answered(next.get(1), false, null);
		throttle.answered(next.get(2), false, null);
		assertThat(throttle.limit()).isEqualTo(3);
		for (int i = 0; i < 100; i++) {
			throttle.answered(next.get(3), false, null);
		}
		assertThat(throttle.limit()).isEqualTo(8);
	}

	@Test
	void aRaisedLimitGrantsEveryPlaceItOpensToWaiters() {
		Throttle throttle = throttle(4, 0, 0, 0);
		List<Permit> permits = acquire(throttle, 4);
		this.now.addAndGet(SECOND);
		throttle.answered(permits.get(0), true, null);
		List<Permit> waiting = new ArrayList<>();
		for (int i = 0; i < 3; i++) {
			throttle.acquire(0).subscribe(waiting::add);
		}
		permits.forEach(Permit::release);
		assertThat(waiting).hasSize(2);
		for (int i = 0; i < 10; i++) {
			throttle.answered(waiting.get(0), false, null);
		}
		waiting.get(0).release();
		assertThat(waiting).hasSize(3);
		assertThat(throttle.inUse()).isEqualTo(2);
	}

	@Test
	void replicasShareTheLimits() {
		this.replicas.set(2);
		Throttle throttle = throttle(8, 60, 6_000, 0);
		assertThat(throttle.limit()).isEqualTo(4);
		assertThat(throttle.reserveRequest()).isZero();
		assertThat(throttle.reserveRequest()).isEqualTo(2 * SECOND);
		assertThat(throttle.tryTake(3_000)).isZero();
		assertThat(throttle.tryTake(50)).isEqualTo(SECOND);
	}

	@Test
	void requestsPerMinuteAreSpacedEvenly() {
		Throttle throttle = throttle(8, 120, 0, 0);
		assertThat(throttle.reserveRequest()).isZero();
		assertThat(throttle.reserveRequest()).isEqualTo(SECOND / 2);
		assertThat(throttle.reserveRequest()).isEqualTo(SECOND);
		this.now.addAndGet(10 * SECOND);
		assertThat(throttle.reserveRequest()).isZero();
	}

	@Test
	void tokensPerMinuteComeFromABucketThatUsageRefunds() {
		Throttle throttle = throttle(8, 0, 6_000, 0);
		assertThat(throttle.countsTokens()).isTrue();
		// A minute's tokens are there at the start; then 100 come back a second.
		assertThat(throttle.tryTake(6_000)).isZero();
		assertThat(throttle.tryTake(200)).isEqualTo(2 * SECOND);
		// A request estimated at 200 used 50: the other 150 come back at once.
		throttle.answered(new Permit(throttle, this.now.get(), 200), false, 50L);
		assertThat(throttle.tryTake(200)).isEqualTo(SECOND / 2);
		assertThat(throttle.tryTake(100)).isZero();
		// A request above a minute's tokens goes once the bucket is full.
		assertThat(throttle.tryTake(10_000)).isEqualTo(SECOND * 595 / 10);
		this.now.addAndGet(600 * SECOND);
		assertThat(throttle.tryTake(10_000)).isZero();
		assertThat(throttle.tryTake(100)).isEqualTo(41 * SECOND);
	}

	private Throttle throttle(int concurrency, long rpm, long tpm, int headroom) {
		return new Throttle(concurrency, rpm, tpm, headroom, this.replicas::get, this.now::get);
	}

	private static List<Permit> acquire(Throttle throttle, int count) {
		List<Permit> permits = new ArrayList<>();
		for (int i = 0; i < count; i++) {
			throttle.acquire(0).subscribe(permits::add);
		}
		return permits;
	}

}
