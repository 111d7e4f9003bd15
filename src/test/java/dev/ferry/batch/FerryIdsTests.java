package dev.ferry.batch;

import java.nio.charset.StandardCharsets;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

class FerryIdsTests {

	@Test
	void carriesTheProviderAndNativeIdInTheDialectsIdAlphabet() {
		String id = FerryIds.mint("msgbatch_", "openai-eu", "batch_abc/../x?");
		assertThat(id).startsWith("msgbatch_").matches("msgbatch_[A-Za-z0-9_-]+");
		assertThat(FerryIds.decode("msgbatch_", id)).contains(new FerryIds.Minted("openai-eu", "batch_abc/../x?"));
	}

	@Test
	void leavesIdsItDidNotMintAlone() {
		assertThat(FerryIds.decode("msgbatch_", "msgbatch_01HJKabc")).isEmpty();
		assertThat(FerryIds.decode("msgbatch_", "msgbatch_fy1!!!")).isEmpty();
		assertThat(FerryIds.decode("msgbatch_", "msgbatch_fy1" + "bm9zZXBhcmF0b3I")).isEmpty();
		assertThat(FerryIds.decode("batch_", FerryIds.mint("msgbatch_", "p", "n"))).isEmpty();
	}

	@ParameterizedTest
	@ValueSource(strings = { "msgbatch_1\nrequest-1", "", "ünïcödé\nx" })
	void keepsStableIdsAsTheyWereFirstMinted(String seed) {
		// Output lines already handed out carry these ids; they must not change.
		assertThat(FerryIds.stable(seed))
			.isEqualTo(UUID.nameUUIDFromBytes(seed.getBytes(StandardCharsets.UTF_8)).toString().replace("-", ""))
			.hasSize(32);
	}

}
