package dev.ferry.idempotency;

import java.time.Duration;
import java.time.Instant;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

import dev.ferry.batch.RandomIds;

/**
 * What Ferry remembers of one {@code Idempotency-Key}: the request it was first used
 * with, and how that request went.
 *
 * @param request the SHA-256 of the first request (method, path, query,
 * provider-selecting headers and body)
 * @param state how far the first request got
 * @param startedAt when the first request arrived, in epoch milliseconds
 * @param status the HTTP status answered, once {@link State#DONE}
 * @param response the JSON body answered, once {@link State#DONE}
 * @param reason why the outcome is unknown, once {@link State#UNKNOWN}
 * @param claim a nonce of the request that claimed the key: two replicas claiming the
 * same key with the same request in the same millisecond still write different bytes, so
 * a store can tell a retried claim of its own from a lost race
 */
record IdempotencyRecord(String request, State state, long startedAt, int status, @Nullable JsonNode response,
		@Nullable String reason, @Nullable String claim) {

	static IdempotencyRecord started(String request, Instant now) {
		return new IdempotencyRecord(request, State.STARTED, now.toEpochMilli(), 0, null, null, RandomIds.hex(8));
	}

	IdempotencyRecord done(int answeredStatus, JsonNode answered) {
		return new IdempotencyRecord(this.request, State.DONE, this.startedAt, answeredStatus, answered, null,
				this.claim);
	}

	IdempotencyRecord unknown(String why) {
		return new IdempotencyRecord(this.request, State.UNKNOWN, this.startedAt, 0, null, why, this.claim);
	}

	boolean isExpired(Instant now, Duration ttl) {
		return Instant.ofEpochMilli(this.startedAt).plus(ttl).isBefore(now);
	}

	/**
	 * Whether a record still marked as started was left behind by an interrupted create
	 * (a crash or a lost replica) rather than by one still under way.
	 */
	boolean isAbandoned(Instant now, Duration inFlightTimeout) {
		return this.state == State.STARTED && Instant.ofEpochMilli(this.startedAt).plus(inFlightTimeout).isBefore(now);
	}

	/** How far the first request got. */
	enum State {

		/** Under way, or interrupted before Ferry learned its outcome. */
		STARTED,

		/** Answered; the answer is replayed to every retry. */
		DONE,

		/**
		 * Failed after it may have reached the upstream: a batch may or may not exist, so
		 * the key cannot safely be used again.
		 */
		UNKNOWN

	}

}
