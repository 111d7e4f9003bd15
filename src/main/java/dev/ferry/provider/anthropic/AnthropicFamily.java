package dev.ferry.provider.anthropic;

import java.net.URI;

import java.time.Clock;

import io.micrometer.core.instrument.MeterRegistry;
import tools.jackson.databind.json.JsonMapper;

import dev.ferry.batch.BatchProvider;
import dev.ferry.batch.ProviderDescriptor;
import dev.ferry.batch.ProviderFamily;
import dev.ferry.config.FerryProperties;
import dev.ferry.config.ProviderProperties;
import dev.ferry.files.HeldFiles;
import dev.ferry.storage.BlobStore;
import dev.ferry.translate.ChatToMessages;
import dev.ferry.upstream.UpstreamClients;

import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.client.WebClient;

/**
 * The {@code anthropic} family: Anthropic's Message Batches API, each provider with its
 * own pooled client.
 */
@Component
class AnthropicFamily implements ProviderFamily {

	/**
	 * Anthropic runs Messages requests (and chat requests Ferry translates) inline, up to
	 * 100,000 per batch; the 256 MB limit applies to the translated create body. Ferry
	 * holds the input files.
	 */
	static final ProviderDescriptor DESCRIPTOR = ProviderDescriptor.builder("anthropic")
		.format(ProviderDescriptor.Format.ANTHROPIC)
		.filesApi(false)
		.inlineRequests(true)
		.endpoints(AnthropicBatchCreation.CHAT, AnthropicWire.ENDPOINT)
		.limits(AnthropicBatchCreation.MAX_REQUESTS, 0)
		.auth(ProviderDescriptor.Auth.X_API_KEY)
		.nativeIdPrefixes("msgbatch_")
		.build();

	private static final URI BASE_URL = URI.create("https://api.anthropic.com");

	/**
	 * Anthropic's OpenAI SDK compatibility layer, which takes the key as a bearer token.
	 */
	private static final URI COMPATIBLE_BASE_URL = URI.create("https://api.anthropic.com/v1");

	private final WebClient.Builder builder;

	private final JsonMapper mapper;

	private final KeptBatches kept;

	private final BlobStore blobs;

	private final int maxLineBytes;

	private final MeterRegistry meters;

	AnthropicFamily(WebClient.Builder builder, JsonMapper mapper, KeptBatches kept, BlobStore blobs,
			FerryProperties properties, MeterRegistry meters) {
		this.builder = builder;
		this.meters = meters;
		this.mapper = mapper;
		this.kept = kept;
		this.blobs = blobs;
		this.maxLineBytes = (int) properties.files().maxLineSize().toBytes();
	}

	@Override
	public ProviderDescriptor descriptor() {
		return DESCRIPTOR;
	}

	@Override
	public URI defaultBaseUrl() {
		return BASE_URL;
	}

	@Override
	public URI compatibleBaseUrl() {
		return COMPATIBLE_BASE_URL;
	}

	@Override
	public BatchProvider create(String name, ProviderProperties properties) {
		AnthropicClient client = new AnthropicClient(name, UpstreamClients.create(name, properties, this.builder),
				properties, this.mapper, this.meters);
		ChatToMessages translator = new ChatToMessages(this.mapper, properties.defaultMaxTokens());
		return new AnthropicProvider(name, client, this.kept,
				new HeldFiles(name, this.blobs, this.mapper, this.maxLineBytes, Clock.systemUTC()),
				new AnthropicBatchCreation(name, client, this.kept, translator, this.mapper, this.maxLineBytes),
				new AnthropicResultFiles(name, client, this.kept, this.mapper, this.maxLineBytes));
	}

}
