package dev.ferry.sandbox;

import java.nio.charset.StandardCharsets;
import java.util.UUID;

/**
 * Ids in OpenAI's styles ({@code file-…}, {@code batch_…}), random or derived.
 */
final class SandboxIds {

	private SandboxIds() {
	}

	static String mint(String prefix) {
		return prefix + UUID.randomUUID().toString().replace("-", "");
	}

	/** A stable id derived from a seed, so regenerated output lines are identical. */
	static String derive(String seed) {
		return UUID.nameUUIDFromBytes(seed.getBytes(StandardCharsets.UTF_8)).toString().replace("-", "");
	}

}
