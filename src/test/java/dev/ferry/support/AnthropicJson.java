package dev.ferry.support;

/**
 * Anthropic wire objects as an upstream answers them.
 */
public final class AnthropicJson {

	private AnthropicJson() {
	}

	/**
	 * A {@code MessageBatch} with id {@code msgbatch_x} of four requests.
	 * @param processingStatus its processing status
	 * @param cancelAsked whether a cancel was asked for
	 * @param expired how many requests expired, once it has ended
	 * @return the JSON
	 */
	public static String messageBatch(String processingStatus, boolean cancelAsked, long expired) {
		boolean ended = processingStatus.equals("ended");
		return """
				{"id":"msgbatch_x","type":"message_batch","processing_status":"%s",
				 "request_counts":{"processing":%d,"succeeded":%d,"errored":0,"canceled":0,"expired":%d},
				 "created_at":"2026-01-01T00:00:00Z","expires_at":"2026-01-02T00:00:00Z","ended_at":%s,
				 "cancel_initiated_at":%s,"archived_at":null,"results_url":%s}
				""".formatted(processingStatus, ended ? 0 : 4, ended ? 4 - expired : 0, expired,
				ended ? "\"2026-01-01T00:01:00Z\"" : "null", cancelAsked ? "\"2026-01-01T00:00:30Z\"" : "null",
				ended ? "\"https://api.anthropic.com/v1/messages/batches/msgbatch_x/results\"" : "null");
	}

}
