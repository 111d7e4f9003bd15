package dev.ferry.provider.sandbox;

import dev.ferry.batch.RandomIds;
import dev.ferry.batch.Sha256;

/**
 * Random ids in OpenAI's styles ({@code file-…}, {@code batch_…}).
 */
final class SandboxIds {

	private SandboxIds() {
	}

	static String mint(String prefix) {
		return prefix + RandomIds.hex(16);
	}

	/** An id every replica derives alike from the same name. */
	static String derived(String prefix, String name) {
		return prefix + Sha256.hex(name).substring(0, 32);
	}

}
