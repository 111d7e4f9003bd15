package dev.ferry.batch;

import org.junit.jupiter.api.Test;

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

}
