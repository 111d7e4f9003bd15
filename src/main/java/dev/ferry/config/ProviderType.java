package dev.ferry.config;

/**
 * The wire families Ferry can talk to; several providers may share one type.
 */
public enum ProviderType {

	/** The OpenAI Files and Batch API, or any service speaking it. */
	OPENAI,

	/** Anthropic's Message Batches API. */
	ANTHROPIC,

	/** The in-process simulated provider. */
	SANDBOX

}
