package dev.ferry.support;

import java.time.Duration;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;

/**
 * Official OpenAI SDK clients pointed at a running Ferry, as a user would configure them.
 */
public final class OpenAiClients {

	private OpenAiClients() {
	}

	/**
	 * A client for Ferry's OpenAI dialect; retries are off so each call is one request.
	 * @param port Ferry's port
	 * @param provider the {@code x-model-provider} header, or {@code null} for the
	 * default
	 * @return the client
	 */
	public static OpenAIClient ferry(int port, String provider) {
		return ferry(port, provider, GatewayKey.KEY);
	}

	/**
	 * A client presenting a given key: the gateway key, or a provider key of the caller's
	 * own.
	 * @param port Ferry's port
	 * @param provider the {@code x-model-provider} header, or {@code null}
	 * @param apiKey the key
	 * @return the client
	 */
	public static OpenAIClient ferry(int port, String provider, String apiKey) {
		OpenAIOkHttpClient.Builder builder = OpenAIOkHttpClient.builder()
			.baseUrl("http://localhost:" + port + "/openai/v1")
			.apiKey(apiKey)
			.maxRetries(0)
			.timeout(Duration.ofSeconds(30));
		if (provider != null) {
			builder.putHeader("x-model-provider", provider);
		}
		return builder.build();
	}

}
