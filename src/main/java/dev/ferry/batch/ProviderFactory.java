package dev.ferry.batch;

import dev.ferry.config.ProviderProperties;
import dev.ferry.config.ProviderType;

/**
 * Creates the adapter for one provider type; one bean per type.
 */
public interface ProviderFactory {

	ProviderType type();

	/**
	 * Creates a provider, once, at start-up.
	 * @param name the configured name
	 * @param properties its configuration
	 * @return the provider
	 */
	BatchProvider create(String name, ProviderProperties properties);

}
