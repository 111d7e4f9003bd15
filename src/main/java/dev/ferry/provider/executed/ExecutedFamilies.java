package dev.ferry.provider.executed;

import java.net.URI;

import org.jspecify.annotations.Nullable;

import dev.ferry.batch.BatchProvider;
import dev.ferry.batch.ProviderDescriptor;
import dev.ferry.batch.ProviderFamily;
import dev.ferry.config.ProviderProperties;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The families whose batches Ferry runs itself: {@code executed} for any server with an
 * OpenAI-compatible synchronous API, and the servers known to have no batch API by name:
 * {@code vllm} and {@code sgl} (self-hosted, so they need a {@code base-url}),
 * {@code ollama} (a local server by default) and {@code huggingface} (its router).
 */
@Configuration(proxyBeanMethods = false)
class ExecutedFamilies {

	private final ExecutedProviders providers;

	ExecutedFamilies(ExecutedProviders providers) {
		this.providers = providers;
	}

	@Bean
	ProviderFamily executedFamily() {
		return family("executed", null, "the server's OpenAI-compatible base URL, such as http://host:8000/v1");
	}

	@Bean
	ProviderFamily vllmFamily() {
		return family("vllm", null, "the vLLM server's OpenAI-compatible URL, such as http://vllm:8000/v1");
	}

	@Bean
	ProviderFamily sglFamily() {
		return family("sgl", null, "the SGLang server's OpenAI-compatible URL, such as http://sglang:30000/v1");
	}

	@Bean
	ProviderFamily ollamaFamily() {
		return family("ollama", URI.create("http://localhost:11434/v1"), "http://ollama-host:11434/v1");
	}

	@Bean
	ProviderFamily huggingfaceFamily() {
		return family("huggingface", URI.create("https://router.huggingface.co/v1"),
				"https://router.huggingface.co/v1");
	}

	private ProviderFamily family(String name, @Nullable URI baseUrl, String hint) {
		ProviderDescriptor descriptor = ExecutedProviders.descriptor(name);
		return new ProviderFamily() {

			@Override
			public ProviderDescriptor descriptor() {
				return descriptor;
			}

			@Override
			public @Nullable URI defaultBaseUrl() {
				return baseUrl;
			}

			@Override
			public String baseUrlHint() {
				return hint;
			}

			@Override
			public BatchProvider create(String provider, ProviderProperties properties) {
				return ExecutedFamilies.this.providers.create(provider, descriptor, properties);
			}

		};
	}

}
