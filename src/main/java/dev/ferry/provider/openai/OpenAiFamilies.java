package dev.ferry.provider.openai;

import java.time.Duration;

import io.micrometer.core.instrument.MeterRegistry;
import tools.jackson.databind.json.JsonMapper;

import dev.ferry.batch.CompletionWindows;
import dev.ferry.batch.ProviderDescriptor;
import dev.ferry.batch.ProviderFamily;
import dev.ferry.config.FerryProperties;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.util.unit.DataSize;
import org.springframework.web.reactive.function.client.WebClient;

/**
 * The families that speak OpenAI's Files and Batch API, each with its public base URL,
 * what it runs and its limits (the sources are in the README's provider table). The plain
 * ones differ from OpenAI only in their descriptor; the others have an adapter of their
 * own.
 */
@Configuration(proxyBeanMethods = false)
class OpenAiFamilies {

	static final String CHAT = "/v1/chat/completions";

	static final String EMBEDDINGS = "/v1/embeddings";

	static final String RESPONSES = "/v1/responses";

	private final OpenAiCompatibleFamily.Tools tools;

	OpenAiFamilies(WebClient.Builder builder, JsonMapper mapper, FerryProperties properties, MeterRegistry meters) {
		this.tools = new OpenAiCompatibleFamily.Tools(builder, mapper, (int) properties.files().maxLineSize().toBytes(),
				meters);
	}

	@Bean
	ProviderFamily openAiFamily() {
		return plain(ProviderDescriptor.builder("openai")
			.endpoints(RESPONSES, CHAT, EMBEDDINGS, "/v1/completions", "/v1/moderations", "/v1/images/generations",
					"/v1/images/edits", "/v1/videos")
			.limits(50_000, megabytes(200))
			.build(), "https://api.openai.com/v1");
	}

	@Bean
	ProviderFamily groqFamily() {
		return plain(ProviderDescriptor.builder("groq")
			.windows(CompletionWindows.between(Duration.ofHours(24), Duration.ofDays(7)))
			.limits(0, megabytes(100))
			.build(), "https://api.groq.com/openai/v1");
	}

	@Bean
	ProviderFamily nebiusFamily() {
		return plain(ProviderDescriptor.builder("nebius")
			.endpoints(CHAT, EMBEDDINGS)
			.limits(5_000_000, DataSize.ofGigabytes(10).toBytes())
			.build(), "https://api.tokenfactory.nebius.com/v1");
	}

	@Bean
	ProviderFamily parasailFamily() {
		return plain(ProviderDescriptor.builder("parasail")
			.endpoints(CHAT, EMBEDDINGS)
			.limits(50_000, megabytes(100))
			.build(), "https://api.parasail.io/v1");
	}

	@Bean
	ProviderFamily perplexityFamily() {
		return new OpenAiCompatibleFamily(PerplexityProvider.DESCRIPTOR, "https://api.perplexity.ai/v1",
				"https://api.perplexity.ai", "", PerplexityProvider::new, this.tools);
	}

	@Bean
	ProviderFamily cerebrasFamily() {
		return new OpenAiCompatibleFamily(CerebrasProvider.DESCRIPTOR, "https://api.cerebras.ai/v1", "",
				CerebrasProvider::new, this.tools);
	}

	@Bean
	ProviderFamily azureFamily() {
		// Azure's synchronous API takes its key in an api-key header, not as a bearer
		// token, so Ferry does not run Azure batches itself.
		return new OpenAiCompatibleFamily(AzureProvider.DESCRIPTOR, null, null,
				"https://{resource}.openai.azure.com/openai/v1, or https://{resource}.openai.azure.com/openai "
						+ "with api-version set for the legacy API",
				AzureProvider::new, this.tools);
	}

	private ProviderFamily plain(ProviderDescriptor descriptor, String baseUrl) {
		return new OpenAiCompatibleFamily(descriptor, baseUrl, "", OpenAiProvider::new, this.tools);
	}

	static long megabytes(long megabytes) {
		return DataSize.ofMegabytes(megabytes).toBytes();
	}

}
