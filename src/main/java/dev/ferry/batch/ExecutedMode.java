package dev.ferry.batch;

import dev.ferry.config.ProviderProperties;

/**
 * Makes a provider whose batches Ferry runs itself against a synchronous API, for a
 * provider of a batch-capable family configured with {@code batch-mode: executed}.
 */
public interface ExecutedMode {

	/**
	 * Creates the provider, once, at start-up.
	 * @param name the configured name
	 * @param family the family it belongs to, whose name it keeps
	 * @param properties its configuration, with the synchronous API as its base URL
	 * @return the provider
	 */
	BatchProvider create(String name, String family, ProviderProperties properties);

	/**
	 * Creates a provider whose batches Ferry runs against a synchronous API of the
	 * provider's own: for the batches a batch-capable provider does not take (those below
	 * Bedrock's minimum of records).
	 * @param name the configured name, which the provider shares
	 * @param descriptor what the provider can do
	 * @param properties its configuration (its concurrency and rate limits)
	 * @param upstream the synchronous API
	 * @return the provider
	 */
	BatchProvider create(String name, ProviderDescriptor descriptor, ProviderProperties properties,
			SyncUpstream upstream);

}
