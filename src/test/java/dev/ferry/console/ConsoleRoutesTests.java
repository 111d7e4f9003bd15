package dev.ferry.console;

import java.util.List;

import org.junit.jupiter.api.Test;

import dev.ferry.auth.GatewayKeys;

import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

class ConsoleRoutesTests {

	@Test
	void refusesToServeTheConsoleWithoutGatewayKeysToSignInWith() {
		assertThatIllegalStateException()
			.isThrownBy(() -> new ConsoleRoutes().console(null, new GatewayKeys(List.of())))
			.withMessageContaining("ferry.console.enabled needs gateway keys")
			.withMessageContaining("ferry.auth.keys");
	}

}
