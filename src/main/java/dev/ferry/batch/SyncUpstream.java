package dev.ferry.batch;

import java.time.Duration;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;

/**
 * A provider's synchronous API, as Ferry's runner sends it the lines of a batch it runs
 * itself: one OpenAI request in, its status and OpenAI answer out. Most providers have an
 * OpenAI-compatible API for this; others (Bedrock's runtime) translate both ways.
 */
public interface SyncUpstream {

	/**
	 * Sends one request. A failure to get an answer is an answer too, never an error
	 * signal, so that the runner decides what is retried.
	 * @param endpoint the batch endpoint, such as {@code /v1/chat/completions}
	 * @param body the OpenAI request body, with its model
	 * @return the answer
	 */
	Mono<Answer> send(String endpoint, JsonNode body);

	/**
	 * One answer, or the failure to get one.
	 *
	 * @param status the HTTP status, 0 when there was no answer
	 * @param body the answer in OpenAI's shape (an error body for a failed status), or
	 * {@code null} when there was none
	 * @param retryAfter how long the provider asks to be left alone, where it says
	 * @param failure why there was no answer
	 */
	record Answer(int status, @Nullable JsonNode body, @Nullable Duration retryAfter, @Nullable Throwable failure) {

		/**
		 * No answer.
		 * @param failure why
		 * @return the answer
		 */
		public static Answer failed(Throwable failure) {
			return new Answer(0, null, null, failure);
		}

		/**
		 * Whether the provider is rate limiting or overloaded.
		 * @return true for 429 and 503
		 */
		public boolean rateLimited() {
			return this.status == 429 || this.status == 503;
		}

		/**
		 * Whether trying again may give another answer.
		 * @return true for a failure to connect and for 5xx answers
		 */
		public boolean retryable() {
			return this.failure != null || this.status >= 500;
		}

	}

}
