package dev.ferry.results;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import org.jspecify.annotations.Nullable;

import dev.ferry.batch.ApiError;

/**
 * Opaque, self-contained results cursors: the batch, the provider and the position (the
 * number of items already returned and the byte offset where the next one starts), signed
 * with HMAC-SHA256 so a tampered or foreign cursor is refused, and any replica sharing
 * the secret can serve the next page.
 */
public final class ResultCursors {

	private static final String ALGORITHM = "HmacSHA256";

	private static final int TAG_BYTES = 16;

	private static final byte VERSION = 1;

	private final SecretKeySpec key;

	/**
	 * A codec signing with a secret.
	 * @param secret the shared secret; when {@code null} or blank a random one is used,
	 * so cursors then work only on this process
	 */
	public ResultCursors(@Nullable String secret) {
		byte[] bytes;
		if (secret == null || secret.isBlank()) {
			bytes = new byte[32];
			new SecureRandom().nextBytes(bytes);
		}
		else {
			bytes = secret.getBytes(StandardCharsets.UTF_8);
		}
		this.key = new SecretKeySpec(bytes, ALGORITHM);
	}

	/**
	 * Encodes a position.
	 * @param cursor the position
	 * @return the opaque cursor, in base64url
	 */
	public String encode(Cursor cursor) {
		byte[] provider = cursor.provider().getBytes(StandardCharsets.UTF_8);
		byte[] batch = cursor.batchId().getBytes(StandardCharsets.UTF_8);
		ByteBuffer payload = ByteBuffer.allocate(1 + 8 + 8 + 4 + provider.length + 4 + batch.length);
		payload.put(VERSION).putLong(cursor.items()).putLong(cursor.offset());
		payload.putInt(provider.length).put(provider).putInt(batch.length).put(batch);
		byte[] body = payload.array();
		byte[] signed = Arrays.copyOf(body, body.length + TAG_BYTES);
		System.arraycopy(tag(body), 0, signed, body.length, TAG_BYTES);
		return Base64.getUrlEncoder().withoutPadding().encodeToString(signed);
	}

	/**
	 * Decodes a cursor given for a batch.
	 * @param text the cursor
	 * @param provider the provider the request resolved to
	 * @param batchId the batch the request names
	 * @return the position
	 * @throws ApiError 400 for a cursor that is malformed, tampered with, or was issued
	 * for another batch or provider
	 */
	public Cursor decode(String text, String provider, String batchId) {
		Cursor cursor = read(text);
		if (cursor == null) {
			throw invalid("cursor: not a cursor Ferry issued, or altered (expected: the next_cursor of a "
					+ "previous page, unchanged)");
		}
		if (!cursor.provider().equals(provider) || !cursor.batchId().equals(batchId)) {
			throw invalid("cursor: issued for another batch (expected: a next_cursor from the results of batch "
					+ batchId + ")");
		}
		return cursor;
	}

	private @Nullable Cursor read(String text) {
		byte[] signed;
		try {
			signed = Base64.getUrlDecoder().decode(text);
		}
		catch (IllegalArgumentException ex) {
			return null;
		}
		if (signed.length <= TAG_BYTES) {
			return null;
		}
		byte[] body = Arrays.copyOf(signed, signed.length - TAG_BYTES);
		byte[] tag = Arrays.copyOfRange(signed, body.length, signed.length);
		if (!MessageDigest.isEqual(tag, tag(body))) {
			return null;
		}
		ByteBuffer payload = ByteBuffer.wrap(body);
		if (payload.get() != VERSION) {
			return null;
		}
		long items = payload.getLong();
		long offset = payload.getLong();
		byte[] provider = new byte[payload.getInt()];
		payload.get(provider);
		byte[] batch = new byte[payload.getInt()];
		payload.get(batch);
		return new Cursor(new String(provider, StandardCharsets.UTF_8), new String(batch, StandardCharsets.UTF_8),
				items, offset);
	}

	private byte[] tag(byte[] body) {
		try {
			Mac mac = Mac.getInstance(ALGORITHM);
			mac.init(this.key);
			return Arrays.copyOf(mac.doFinal(body), TAG_BYTES);
		}
		catch (GeneralSecurityException ex) {
			throw new IllegalStateException("HmacSHA256 is part of every Java platform", ex);
		}
	}

	private static ApiError invalid(String message) {
		return ApiError.invalid("cursor", message);
	}

	/**
	 * A position in a batch's results.
	 *
	 * @param provider the provider name
	 * @param batchId the batch id as the caller names it
	 * @param items how many items came before
	 * @param offset the byte offset in the results where the next item starts
	 */
	public record Cursor(String provider, String batchId, long items, long offset) {
	}

}
