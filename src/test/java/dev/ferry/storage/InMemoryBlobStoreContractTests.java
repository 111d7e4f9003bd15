package dev.ferry.storage;

import dev.ferry.support.InMemoryBlobStore;

class InMemoryBlobStoreContractTests extends BlobStoreContract {

	@Override
	BlobStore createStore() {
		return new InMemoryBlobStore();
	}

	@Override
	boolean compareAndSwapIsLinearizable() {
		return true;
	}

}
