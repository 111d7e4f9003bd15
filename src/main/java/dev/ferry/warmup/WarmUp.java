package dev.ferry.warmup;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import io.micrometer.observation.ObservationRegistry;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import dev.ferry.batch.ProviderFamily;
import dev.ferry.batch.ProviderRegistry;
import dev.ferry.batch.ProviderResolver;
import dev.ferry.config.FerryProperties;
import dev.ferry.config.ProviderProperties;

import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.http.HttpHeaders;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.client.WebClient;

/**
 * Runs Ferry's hot paths for a while before the readiness probe answers, so that a new
 * replica's first traffic meets code the JIT has already compiled rather than stalling
 * while its compiler threads compete with that traffic for the cores.
 *
 * <p>
 * Spring Boot reports a replica ready only after its runners return, so this runs with
 * the server up but no traffic routed to it. Its requests go to Ferry's own port and take
 * the paths real traffic takes, through the OpenAI and unified dialects: new batches (a
 * status-cache miss), one batch again and again (a hit) and pages of batches. They name a
 * provider of the {@code openai} family that exists only while the warm-up runs and calls
 * a loopback replica ({@link WarmUpUpstream}): nothing leaves the process and nothing is
 * written to the store. Any failure only ends the warm-up early.
 */
@Component
class WarmUp implements ApplicationRunner {

	private static final Log logger = LogFactory.getLog(WarmUp.class);

	private static final String PROVIDER = "ferry-warm-up";

	/** The caller's own key the warm-up's requests carry, for its provider only. */
	private static final String KEY = "sk-ferry-warm-up";

	private final FerryProperties.WarmUp settings;

	private final List<ProviderFamily> families;

	private final ProviderRegistry registry;

	private final WebServerApplicationContext context;

	private final WebClient.Builder clients;

	/** The warm-up's calls answered with a 2xx, and the others. */
	final AtomicLong answered = new AtomicLong();

	final AtomicLong refused = new AtomicLong();

	/** When the warm-up last ended. */
	volatile Instant endedAt = Instant.MIN;

	WarmUp(FerryProperties properties, List<ProviderFamily> families, ProviderRegistry registry,
			WebServerApplicationContext context, WebClient.Builder clients) {
		this.settings = properties.warmUp();
		this.families = families;
		this.registry = registry;
		this.context = context;
		this.clients = clients;
	}

	@Override
	public void run(ApplicationArguments args) {
		if (!this.settings.enabled() || this.settings.duration().isZero()) {
			return;
		}
		Instant start = Instant.now();
		try (WarmUpUpstream upstream = new WarmUpUpstream();
				AutoCloseable window = this.registry
					.warmingUp(openAiFamily().create(PROVIDER, properties(upstream.baseUrl())))) {
			// Unobserved: its paths name a new batch each round, and every distinct path
			// would take one of the uri tags the client metrics allow (100), leaving none
			// for the providers' own routes later.
			WebClient self = this.clients.clone()
				.observationRegistry(ObservationRegistry.NOOP)
				.baseUrl("http://127.0.0.1:" + this.context.getWebServer().getPort())
				.defaultHeader(HttpHeaders.AUTHORIZATION, "Bearer " + KEY)
				.defaultHeader(ProviderResolver.PROVIDER_HEADER, PROVIDER)
				.build();
			Instant deadline = start.plus(this.settings.duration());
			// One round's calls one at a time first: JSON codecs create and cache their
			// (de)serializers under a lock on first use, which concurrent first calls
			// would wait on.
			Flux.concat(calls(self, -1)).blockLast(this.settings.duration().plus(Duration.ofSeconds(30)));
			Flux.range(0, Integer.MAX_VALUE)
				.takeWhile((round) -> Instant.now().isBefore(deadline))
				.flatMap((round) -> Mono.when(calls(self, round)), this.settings.concurrency(), 1)
				.blockLast(this.settings.duration().plus(Duration.ofSeconds(30)));
			logger.info("Warmed up in " + Duration.between(start, Instant.now()).toMillis() + " ms: " + this.answered
					+ " calls answered, " + this.refused + " refused; now ready for traffic");
		}
		catch (Exception ex) {
			logger.warn("Warm-up ended early after " + this.answered + " calls: " + ex.getMessage());
		}
		finally {
			this.endedAt = Instant.now();
		}
	}

	/** One round: a new batch and a kept one in each dialect, a page, the providers. */
	private List<Mono<Void>> calls(WebClient self, int round) {
		return List.of(get(self, "/openai/v1/batches/batch_warm_up_" + round),
				get(self, "/openai/v1/batches/batch_warm_up_kept"), get(self, "/openai/v1/batches?limit=20"),
				get(self, "/v1/batches/batch_warm_up_" + round), get(self, "/v1/batches/batch_warm_up_kept"),
				get(self, "/v1/providers"));
	}

	/** A call to Ferry's own port, counted by its status. */
	private Mono<Void> get(WebClient self, String path) {
		return self.get().uri(path).exchangeToMono((response) -> {
			(response.statusCode().is2xxSuccessful() ? this.answered : this.refused).incrementAndGet();
			return response.releaseBody();
		});
	}

	private ProviderFamily openAiFamily() {
		return this.families.stream()
			.filter((family) -> family.descriptor().family().equals("openai"))
			.findFirst()
			.orElseThrow(() -> new IllegalStateException("no openai family"));
	}

	/** The warm-up provider's settings: the loopback replica, a placeholder key. */
	private static ProviderProperties properties(String baseUrl) {
		Map<String, String> settings = Map.of("warm-up.base-url", baseUrl, "warm-up.api-key", KEY,
				"warm-up.retry.max-attempts", "1");
		return new Binder(new MapConfigurationPropertySource(settings)).bindOrCreate("warm-up",
				Bindable.of(ProviderProperties.class));
	}

}
