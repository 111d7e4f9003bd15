package dev.ferry.provider.anthropic;

import java.nio.charset.StandardCharsets;
import java.util.Map;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every {@code custom_id} fits Anthropic's format and reads back as the caller's own.
 */
class CustomIdsTests {

	@ParameterizedTest
	@ValueSource(strings = { "plain-id_1", "task:2", "fyxLooksEncoded", "fyh", "ünïcödé", "a b",
			"customer-4711/order-2026-11-22/line-00042/attempt-3/with-a-very-long-suffix" })
	void fitsEveryCustomIdIntoAnthropicsFormatAndBack(String id) {
		String sent = CustomIds.toAnthropic(id);
		assertThat(sent).matches(CustomIds.ANTHROPIC.pattern());
		Map<String, String> table = CustomIds.needsTable(sent) ? Map.of(sent, id) : Map.of();
		assertThat(CustomIds.fromAnthropic(sent, table)).isEqualTo(id);
		if (id.equals("plain-id_1")) {
			assertThat(sent).isEqualTo(id);
		}
		assertThat(CustomIds.needsTable(sent)).isEqualTo(id.getBytes(StandardCharsets.UTF_8).length > 45);
	}

}
