package dev.ferry.provider.anthropic;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.regex.Pattern;

import dev.ferry.batch.Sha256;

/**
 * Fits OpenAI {@code custom_id}s, which have no documented format, into Anthropic's
 * {@code ^[a-zA-Z0-9_-]{1,64}$}, and back. An id that fits is sent as it is; one of up to
 * 45 bytes is base64url-encoded behind {@value #ENCODED}, so it comes back with no stored
 * state; a longer one is hashed behind {@value #HASHED} and kept in a table. Ids that fit
 * but start with either marker are encoded too, so every marked id Ferry reads back is
 * one it made.
 */
final class CustomIds {

	/** Anthropic's {@code custom_id} format. */
	static final Pattern ANTHROPIC = Pattern.compile("[a-zA-Z0-9_-]{1,64}");

	static final String ENCODED = "fyx";

	static final String HASHED = "fyh";

	/** The longest id, in UTF-8 bytes, whose encoding fits in 64 characters. */
	private static final int MAX_ENCODED_BYTES = 45;

	private static final Base64.Encoder BASE64 = Base64.getUrlEncoder().withoutPadding();

	private CustomIds() {
	}

	/**
	 * The id sent to Anthropic.
	 * @param id the caller's id
	 * @return an id in Anthropic's format, unique for each caller's id
	 */
	static String toAnthropic(String id) {
		if (ANTHROPIC.matcher(id).matches() && !id.startsWith(ENCODED) && !id.startsWith(HASHED)) {
			return id;
		}
		byte[] bytes = id.getBytes(StandardCharsets.UTF_8);
		if (bytes.length <= MAX_ENCODED_BYTES) {
			return ENCODED + BASE64.encodeToString(bytes);
		}
		return HASHED + BASE64.encodeToString(Sha256.digest(bytes));
	}

	/**
	 * Whether a sent id can only be read back through the table.
	 * @param sent the id sent to Anthropic
	 * @return true for hashed ids
	 */
	static boolean needsTable(String sent) {
		return sent.startsWith(HASHED);
	}

	/**
	 * The caller's id for an id Anthropic returns.
	 * @param sent the id Anthropic returned
	 * @param table the hashed ids of the batch
	 * @return the caller's id; an unknown hashed id is returned as it is
	 */
	static String fromAnthropic(String sent, Map<String, String> table) {
		if (sent.startsWith(ENCODED)) {
			try {
				return new String(Base64.getUrlDecoder().decode(sent.substring(ENCODED.length())),
						StandardCharsets.UTF_8);
			}
			catch (IllegalArgumentException ex) {
				return sent;
			}
		}
		return needsTable(sent) ? table.getOrDefault(sent, sent) : sent;
	}

}
