package dev.ferry.dialect;

import java.util.function.Function;

import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.util.UriComponentsBuilder;

/**
 * Links Ferry hands out, built from the host the caller reached (with
 * {@code X-Forwarded-*} honoured), so that a client following one never goes around the
 * gateway.
 */
public final class FerryUrls {

	private FerryUrls() {
	}

	/**
	 * Where Ferry streams a batch's results as Anthropic's JSONL, for a batch's
	 * {@code results_url}.
	 * @param request the request the link answers
	 * @return the link for a batch id as callers see it
	 */
	public static Function<String, String> anthropicResults(ServerRequest request) {
		String base = UriComponentsBuilder.fromUri(request.uri()).replacePath(null).replaceQuery(null).toUriString();
		return (id) -> base + "/anthropic/v1/messages/batches/" + id + "/results";
	}

}
