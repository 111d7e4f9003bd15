package dev.ferry.provider.executed;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;

import io.micrometer.core.instrument.MeterRegistry;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.json.JsonMapper;

import dev.ferry.auth.KeyRotation;
import dev.ferry.batch.BatchProvider;
import dev.ferry.batch.CompletionWindows;
import dev.ferry.batch.ProviderDescriptor;
import dev.ferry.batch.ProviderFamily;
import dev.ferry.config.FerryProperties;
import dev.ferry.config.ProviderProperties;
import dev.ferry.files.HeldFiles;
import dev.ferry.storage.BlobStore;
import dev.ferry.upstream.UpstreamClients;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.reactive.function.client.WebClient;

/**
 * The families whose batches Ferry runs itself: {@code executed} for any server with an
 * OpenAI-compatible synchronous API, and the servers known to have no batch API by name:
 * {@code vllm} and {@code sgl} (self-hosted, so they need a {@code base-url}),
 * {@code ollama} (a local server by default) and {@code huggingface} (its router).
 */
@Configuration(proxyBeanMethods = false)
class ExecutedFamilies {

	private final WebClient.Builder builder;

	private final JsonMapper mapper;

	private final BlobStore blobs;

	private final ExecutedProperties settings;

	private final int maxLineBytes;

	private final Clock clock;

	private final MeterRegistry meters;

	ExecutedFamilies(WebClient.Builder builder, JsonMapper mapper, BlobStore blobs, ExecutedProperties settings,
			FerryProperties properties, ObjectProvider<Clock> clock, MeterRegistry meters) {
		this.meters = meters;
		this.builder = builder;
		this.mapper = mapper;
		this.blobs = blobs;
		this.settings = settings;
		this.maxLineBytes = (int) properties.files().maxLineSize().toBytes();
		this.clock = clock.getIfAvailable(Clock::systemUTC);
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
		ProviderDescriptor descriptor = ProviderDescriptor.builder(name)
			.nativeBatches(false)
			.filesApi(false)
			.endpoints("/v1/chat/completions", "/v1/embeddings", "/v1/completions", "/v1/responses")
			.windows(CompletionWindows.between(Duration.ofHours(1), Duration.ofDays(7)))
			.build();
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
				WebClient client = UpstreamClients.create(provider, properties, ExecutedFamilies.this.builder);
				LineCaller caller = new LineCaller(provider, client, new KeyRotation(properties.keys()),
						ExecutedFamilies.this.mapper, ExecutedFamilies.this.settings, ExecutedFamilies.this.meters);
				return new ExecutedProvider(provider, descriptor,
						new HeldFiles(provider, ExecutedFamilies.this.blobs, ExecutedFamilies.this.mapper,
								ExecutedFamilies.this.maxLineBytes, Clock.systemUTC()),
						new ExecutedStore(ExecutedFamilies.this.blobs, ExecutedFamilies.this.mapper), caller,
						ExecutedFamilies.this.settings, properties.maxConcurrency(), ExecutedFamilies.this.maxLineBytes,
						ExecutedFamilies.this.mapper, ExecutedFamilies.this.clock);
			}

		};
	}

}
