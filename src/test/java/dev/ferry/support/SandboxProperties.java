package dev.ferry.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.springframework.test.context.DynamicPropertyRegistry;

/**
 * A Ferry configured for sandbox tests: a fast {@code sandbox} (1 s), a {@code slow} one
 * (20 s, time to cancel), no provider keys, and its own storage directory.
 */
public final class SandboxProperties {

	private SandboxProperties() {
	}

	public static void register(DynamicPropertyRegistry registry) throws IOException {
		GatewayKey.register(registry);
		registry.add("ferry.providers.sandbox.processing-time", () -> "1s");
		registry.add("ferry.providers.slow.type", () -> "sandbox");
		registry.add("ferry.providers.slow.processing-time", () -> "20s");
		registry.add("ferry.providers.openai.api-key", () -> "");
		registry.add("ferry.providers.anthropic.api-key", () -> "");
		Path storage = Files.createTempDirectory("ferry-sandbox-it");
		registry.add("ferry.storage.path", storage::toString);
	}

}
