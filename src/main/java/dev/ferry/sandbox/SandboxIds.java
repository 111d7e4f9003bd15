package dev.ferry.sandbox;

import dev.ferry.web.RandomIds;

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
