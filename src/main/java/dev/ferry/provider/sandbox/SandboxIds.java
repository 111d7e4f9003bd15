package dev.ferry.provider.sandbox;

import dev.ferry.batch.RandomIds;

/**
 * Random ids in OpenAI's styles ({@code file-…}, {@code batch_…}).
 */
final class SandboxIds {

	private SandboxIds() {
	}

	static String mint(String prefix) {
		return prefix + RandomIds.hex(16);
	}

}
