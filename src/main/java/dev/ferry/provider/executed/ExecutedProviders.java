package dev.ferry.provider.executed;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import tools.jackson.databind.json.JsonMapper;

import dev.ferry.auth.KeyRotation;
import dev.ferry.batch.BatchProvider;
import dev.ferry.batch.CompletionWindows;
import dev.ferry.batch.ExecutedMode;
import dev.ferry.batch.ProviderDescriptor;
import dev.ferry.batch.SyncUpstream;
import dev.ferry.config.FerryProperties;
import dev.ferry.config.ProviderProperties;
import dev.ferry.files.HeldFiles;
import dev.ferry.storage.BlobStore;
import dev.ferry.upstream.UpstreamClients;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.client.WebClient;

/**
 * Makes the providers whose batches Ferry runs itself: those of the executed families,
 * and those of batch-capable families switched to {@code batch-mode: executed}.
 */
@Component
class ExecutedProviders implements ExecutedMode {

	private final WebClient.Builder builder;

	private final JsonMapper mapper;

	private final BlobStore blobs;

	private final ExecutedProperties settings;

	private final int maxLineBytes;

	private final Clock clock;

	private final MeterRegistry meters;

	ExecutedProviders(WebClient.Builder builder, JsonMapper mapper, BlobStore blobs, ExecutedProperties settings,
			FerryProperties properties, ObjectProvider<Clock> clock, MeterRegistry meters) {
		this.builder = builder;
		this.mapper = mapper;
		this.blobs = blobs;
		this.settings = settings;
		this.maxLineBytes = (int) properties.files().maxLineSize().toBytes();
		this.clock = clock.getIfAvailable(Clock::systemUTC);
		this.meters = meters;
	}

	/**
	 * What a provider whose batches Ferry runs can do: the synchronous endpoints an
	 * OpenAI-compatible server serves, with windows of an hour to a week.
	 * @param family the family's name
	 * @return the descriptor
	 */
	static ProviderDescriptor descriptor(String family) {
		return ProviderDescriptor.builder(family)
			.nativeBatches(false)
			.filesApi(false)
			.endpoints("/v1/chat/completions", "/v1/embeddings", "/v1/completions", "/v1/responses")
			.windows(CompletionWindows.between(Duration.ofHours(1), Duration.ofDays(7)))
			.build();
	}

	@Override
	public BatchProvider create(String name, String family, ProviderProperties properties) {
		return create(name, descriptor(family), properties);
	}

	ExecutedProvider create(String name, ProviderDescriptor descriptor, ProviderProperties properties) {
		WebClient client = UpstreamClients.create(name, properties, this.builder);
		return create(name, descriptor, properties,
				new OpenAiCompatibleUpstream(client, new KeyRotation(properties.keys()), this.mapper));
	}

	@Override
	public ExecutedProvider create(String name, ProviderDescriptor descriptor, ProviderProperties properties,
			SyncUpstream upstream) {
		AtomicInteger replicas = new AtomicInteger(1);
		Gauge.builder("ferry.executed.replicas", replicas, AtomicInteger::get)
			.description("Replicas whose runners share the provider's limits, as this replica counts them")
			.tag("provider", name)
			.register(this.meters);
		Throttle throttle = new Throttle(properties.maxConcurrency(), properties.requestsPerMinute(),
				properties.tokensPerMinute(), properties.headroomPercent(), replicas::get, System::nanoTime);
		LineCaller caller = new LineCaller(name, upstream, this.mapper, this.settings, throttle, this.meters);
		return new ExecutedProvider(name, descriptor,
				new HeldFiles(name, this.blobs, this.mapper, this.maxLineBytes, Clock.systemUTC()),
				new ExecutedStore(this.blobs, this.mapper), caller, this.settings, throttle, replicas,
				this.maxLineBytes, this.mapper, this.clock);
	}

}
