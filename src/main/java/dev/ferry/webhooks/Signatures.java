package dev.ferry.webhooks;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Signs webhook messages as the Standard Webhooks specification says: an HMAC-SHA256,
 * keyed with the secret's bytes (the base64 after {@code whsec_}), of
 * {@code <webhook-id>.<webhook-timestamp>.<body>}, sent as {@code v1,<base64>}.
 */
final class Signatures {

	static final String PREFIX = "whsec_";

	private Signatures() {
	}

	/**
	 * The secret's key bytes.
	 * @param secret {@code whsec_} and base64
	 * @return the bytes
	 * @throws IllegalArgumentException for a secret not in that form
	 */
	static byte[] key(String secret) {
		if (!secret.startsWith(PREFIX)) {
			throw new IllegalArgumentException("a webhook secret starts with '" + PREFIX + "'");
		}
		byte[] key = Base64.getDecoder().decode(secret.substring(PREFIX.length()));
		if (key.length < 24) {
			throw new IllegalArgumentException("a webhook secret holds at least 24 bytes (Standard Webhooks)");
		}
		return key;
	}

	/**
	 * The {@code webhook-signature} header of a message.
	 * @param key the secret's bytes
	 * @param id the message id
	 * @param timestamp the message time, in Unix seconds
	 * @param body the body, as sent
	 * @return {@code v1,<base64 HMAC-SHA256>}
	 */
	static String sign(byte[] key, String id, long timestamp, String body) {
		try {
			Mac mac = Mac.getInstance("HmacSHA256");
			mac.init(new SecretKeySpec(key, "HmacSHA256"));
			byte[] digest = mac.doFinal((id + "." + timestamp + "." + body).getBytes(StandardCharsets.UTF_8));
			return "v1," + Base64.getEncoder().encodeToString(digest);
		}
		catch (GeneralSecurityException ex) {
			throw new IllegalStateException("HmacSHA256 is not available", ex);
		}
	}

}
