package dev.ferry.sandbox;

import java.util.UUID;

/**
 * Random ids in OpenAI's styles ({@code file-…}, {@code batch_…}).
 */
final class SandboxIds {

	private SandboxIds() {
	}

	static String mint(String prefix) {
		return prefix + UUID.randomUUID().toString().replace("-", "");
	}

}
