package dev.ferry.results;

import org.junit.jupiter.api.Test;

import dev.ferry.batch.ApiError;
import dev.ferry.results.ResultCursors.Cursor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

class ResultCursorsTests {

	private final ResultCursors cursors = new ResultCursors("shared-secret");

	@Test
	void roundTripsAPositionAndLooksOpaque() {
		Cursor cursor = new Cursor("openai", "batch_abc", 700, 1_234_567_890_123L);
		String text = this.cursors.encode(cursor);
		assertThat(text).matches("[A-Za-z0-9_-]+").doesNotContain("batch_abc");
		assertThat(this.cursors.decode(text, "openai", "batch_abc")).isEqualTo(cursor);
		assertThat(new ResultCursors("shared-secret").decode(text, "openai", "batch_abc"))
			.as("another replica with the same secret")
			.isEqualTo(cursor);
	}

	@Test
	void refusesATamperedCursor() {
		String text = this.cursors.encode(new Cursor("openai", "batch_abc", 7, 100));
		char flipped = (text.charAt(5) == 'A') ? 'B' : 'A';
		String tampered = text.substring(0, 5) + flipped + text.substring(6);
		assertThatExceptionOfType(ApiError.class).isThrownBy(() -> this.cursors.decode(tampered, "openai", "batch_abc"))
			.satisfies((error) -> {
				assertThat(error.status()).isEqualTo(400);
				assertThat(error.getMessage()).startsWith("cursor: not a cursor Ferry issued, or altered");
			});
		assertThatExceptionOfType(ApiError.class).isThrownBy(() -> this.cursors.decode("%%%", "openai", "batch_abc"));
		assertThatExceptionOfType(ApiError.class).isThrownBy(() -> this.cursors.decode("", "openai", "batch_abc"));
	}

	@Test
	void refusesACursorOfAnotherBatchProviderOrSecret() {
		String text = this.cursors.encode(new Cursor("openai", "batch_abc", 7, 100));
		assertThatExceptionOfType(ApiError.class).isThrownBy(() -> this.cursors.decode(text, "openai", "batch_other"))
			.withMessageContaining("issued for another batch");
		assertThatExceptionOfType(ApiError.class).isThrownBy(() -> this.cursors.decode(text, "groq", "batch_abc"));
		assertThatExceptionOfType(ApiError.class)
			.isThrownBy(() -> new ResultCursors(null).decode(text, "openai", "batch_abc"))
			.withMessageContaining("not a cursor Ferry issued");
	}

}
