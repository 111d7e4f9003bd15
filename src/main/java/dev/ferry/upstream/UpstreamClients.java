package dev.ferry.upstream;

import io.netty.channel.ChannelOption;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;

import dev.ferry.config.ProviderProperties;

import org.springframework.http.client.reactive.ReactorClientHttpConnector;
import org.springframework.web.reactive.function.client.WebClient;

/**
 * Builds the one pooled {@link WebClient} each provider uses, once, at start-up.
 */
public final class UpstreamClients {

	/** Upstream JSON control objects (batch lists, file lists) are decoded whole. */
	private static final int MAX_JSON_BYTES = 16 * 1024 * 1024;

	private UpstreamClients() {
	}

	/**
	 * A client for one provider: bounded pool that drops idle connections, connect and
	 * response timeouts. Event loops are Reactor Netty's shared ones (as many as cores,
	 * at least four), which also serve Ferry's own server, so an upstream answer is
	 * handled on a thread that is already running.
	 * @param name the provider name, used to name the pool
	 * @param properties the provider's configuration
	 * @param builder the application's builder, cloned and not changed
	 * @return the client, with the provider's base URL
	 */
	public static WebClient create(String name, ProviderProperties properties, WebClient.Builder builder) {
		ConnectionProvider pool = ConnectionProvider.builder("ferry-" + name)
			.maxConnections(properties.maxConnections())
			.pendingAcquireMaxCount(properties.pendingAcquireMaxCount())
			.pendingAcquireTimeout(properties.pendingAcquireTimeout())
			.maxIdleTime(properties.maxIdleTime())
			.build();
		HttpClient http = HttpClient.create(pool)
			.option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) properties.connectTimeout().toMillis())
			.responseTimeout(properties.responseTimeout());
		return builder.clone()
			.baseUrl(properties.requiredBaseUrl(name).toString())
			.clientConnector(new ReactorClientHttpConnector(http))
			.codecs((codecs) -> codecs.defaultCodecs().maxInMemorySize(MAX_JSON_BYTES))
			.observationConvention(new ProviderTaggedClientConvention(name))
			.build();
	}

}
