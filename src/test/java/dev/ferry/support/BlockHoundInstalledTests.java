package dev.ferry.support;

import java.time.Duration;

import org.junit.jupiter.api.Test;
import reactor.blockhound.BlockingOperationError;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

/**
 * The whole suite runs under BlockHound (blockhound-junit-platform installs it): a
 * blocking call on a non-blocking thread fails the test that made it. This shows the
 * check is live.
 */
class BlockHoundInstalledTests {

	@Test
	void aBlockingCallOnANonBlockingThreadFails() {
		Mono<Long> blocking = Mono.delay(Duration.ofMillis(1)).doOnNext((tick) -> {
			try {
				Thread.sleep(1);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		});
		StepVerifier.create(blocking).expectError(BlockingOperationError.class).verify(Duration.ofSeconds(5));
	}

}
