package dev.ferry.storage;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.ferry.config.FerryProperties;
import dev.ferry.support.S3Server;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The contract against s3proxy, a real S3 implementation: the requests, headers and
 * status codes of the S3 store, and create-only races, which s3proxy keeps.
 */
class S3BlobStoreContractTests extends BlobStoreContract {

	private static S3Server server;

	private static S3BlobStore shared;

	@BeforeAll
	static void startServer() {
		server = S3Server.start("contract");
		shared = S3Stores.create(new FerryProperties.S3("contract", "ferry", "us-east-1", server.endpoint().toString(),
				true, server.accessKey(), server.secretKey()));
	}

	@AfterAll
	static void stopServer() throws Exception {
		shared.close();
		server.close();
	}

	@Override
	BlobStore createStore() {
		return shared;
	}

	@Override
	boolean closesStoreAfterEachTest() {
		return false;
	}

	@Test
	void aRepeatedCreateThatFindsItsOwnBytesCountsAsWon() {
		// What a create retried by the SDK after a lost answer sees: its own write.
		// Writers
		// racing for a key put a nonce in their bytes, so that only a retry matches.
		String key = this.folder + "/retried";
		ConditionalWrite first = this.store.create(key, bytes("claim nonce-1")).block(TIMEOUT);
		ConditionalWrite retried = this.store.create(key, bytes("claim nonce-1")).block(TIMEOUT);
		assertThat(retried.outcome()).isEqualTo(ConditionalWrite.Outcome.WON);
		assertThat(retried.version()).isEqualTo(first.version());
		assertThat(this.store.create(key, bytes("claim nonce-2")).block(TIMEOUT).outcome())
			.isEqualTo(ConditionalWrite.Outcome.LOST);
	}

	@Override
	boolean compareAndSwapIsLinearizable() {
		// s3proxy emulates If-Match on its file backends: it races
		// (spec/shared-state.md).
		return false;
	}

}
