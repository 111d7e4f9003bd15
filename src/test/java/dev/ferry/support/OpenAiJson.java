package dev.ferry.support;

/**
 * OpenAI wire objects as an upstream answers them.
 */
public final class OpenAiJson {

	private OpenAiJson() {
	}

	/**
	 * An OpenAI batch object.
	 * @param id the id
	 * @param status the status
	 * @return the JSON
	 */
	public static String batchJson(String id, String status) {
		return """
				{"id":"%s","object":"batch","endpoint":"/v1/chat/completions","errors":null,"input_file_id":"file-in",
				 "completion_window":"24h","status":"%s","output_file_id":null,"error_file_id":null,"created_at":1700000000,
				 "in_progress_at":null,"expires_at":1700086400,"finalizing_at":null,"completed_at":null,"failed_at":null,
				 "expired_at":null,"cancelling_at":null,"cancelled_at":null,
				 "request_counts":{"total":3,"completed":1,"failed":1},"metadata":null}
				"""
			.formatted(id, status)
			.replace("\n", "");
	}

	/**
	 * An OpenAI file object.
	 * @param id the id
	 * @param purpose the purpose
	 * @return the JSON
	 */
	public static String fileJson(String id, String purpose) {
		return "{\"id\":\"%s\",\"object\":\"file\",\"bytes\":18,\"created_at\":1700000000,\"filename\":\"in.jsonl\",\"purpose\":\"%s\",\"status\":\"processed\"}"
			.formatted(id, purpose);
	}

}
