package dev.ferry.provider.vertex;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;

import com.google.auth.oauth2.AccessToken;
import com.google.auth.oauth2.GoogleCredentials;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

/**
 * Google OAuth access tokens for Vertex AI and Cloud Storage, from a service account key
 * file (whose {@code token_uri} google-auth honours) or the environment's default
 * credentials. google-auth loads credentials and refreshes tokens with blocking I/O, so
 * both run on a bounded scheduler, never on an event loop; a token is reused until a
 * minute before it expires, and callers that find it stale at once share one refresh.
 */
final class GoogleTokens {

	static final String SCOPE = "https://www.googleapis.com/auth/cloud-platform";

	/** Refreshed this long before it expires, so no call goes out with a dying token. */
	private static final Duration MARGIN = Duration.ofMinutes(1);

	private final @Nullable Path credentialsFile;

	private final Scheduler blocking;

	private final Clock clock;

	private @Nullable GoogleCredentials credentials;

	private volatile @Nullable AccessToken current;

	/**
	 * Tokens.
	 * @param credentialsFile a service account key, or {@code null} for the default
	 * credentials
	 * @param blocking the bounded scheduler that loading and refreshing run on
	 * @param clock the clock tokens expire by
	 */
	GoogleTokens(@Nullable Path credentialsFile, Scheduler blocking, Clock clock) {
		this.credentialsFile = credentialsFile;
		this.blocking = blocking;
		this.clock = clock;
	}

	/**
	 * The current token, refreshed first when it is near its end.
	 * @return the token's value
	 */
	Mono<String> token() {
		AccessToken token = this.current;
		if (fresh(token)) {
			return Mono.just(token.getTokenValue());
		}
		return Mono.fromCallable(this::refresh).subscribeOn(this.blocking);
	}

	private boolean fresh(@Nullable AccessToken token) {
		return token != null && token.getExpirationTime() != null
				&& token.getExpirationTime().toInstant().isAfter(this.clock.instant().plus(MARGIN));
	}

	/** Refreshes once for every caller that found the token stale at the same time. */
	private synchronized String refresh() throws IOException {
		AccessToken token = this.current;
		if (fresh(token)) {
			return token.getTokenValue();
		}
		GoogleCredentials loaded = credentials();
		loaded.refresh();
		AccessToken refreshed = loaded.getAccessToken();
		if (refreshed == null) {
			throw new IOException("Google credentials gave no access token");
		}
		this.current = refreshed;
		return refreshed.getTokenValue();
	}

	private GoogleCredentials credentials() throws IOException {
		GoogleCredentials loaded = this.credentials;
		if (loaded == null) {
			if (this.credentialsFile != null) {
				try (InputStream in = Files.newInputStream(this.credentialsFile)) {
					loaded = GoogleCredentials.fromStream(in).createScoped(SCOPE);
				}
			}
			else {
				loaded = GoogleCredentials.getApplicationDefault().createScoped(SCOPE);
			}
			this.credentials = loaded;
		}
		return loaded;
	}

}
