package dev.ferry.provider.gemini;

import dev.ferry.batch.BatchStatus;

/**
 * Google's job states in OpenAI's words, for Gemini's batches and Vertex AI's batch
 * prediction jobs alike. They come as {@code BATCH_STATE_*} on the Gemini API's wire and
 * {@code JOB_STATE_*} on Vertex's and in Google's SDKs: both are read. A state Google
 * adds later reads as {@code in_progress}, so that pollers keep polling, with Google's
 * own kept beside it.
 */
public final class GoogleJobStates {

	private GoogleJobStates() {
	}

	/**
	 * OpenAI's status for a Google state.
	 * @param state Google's state
	 * @return OpenAI's
	 */
	public static BatchStatus status(String state) {
		String bare = state.replaceFirst("^(BATCH|JOB)_STATE_", "");
		return switch (bare) {
			case "PENDING", "QUEUED" -> BatchStatus.VALIDATING;
			case "SUCCEEDED", "PARTIALLY_SUCCEEDED" -> BatchStatus.COMPLETED;
			case "FAILED" -> BatchStatus.FAILED;
			case "CANCELLING" -> BatchStatus.CANCELLING;
			case "CANCELLED" -> BatchStatus.CANCELLED;
			case "EXPIRED" -> BatchStatus.EXPIRED;
			default -> BatchStatus.IN_PROGRESS;
		};
	}

}
