package dev.ferry.batch;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

import org.jspecify.annotations.Nullable;

/**
 * Ids Ferry mints for cross-format traffic: the provider name and the provider's native
 * id, base64url-encoded behind the dialect's own prefix ({@code msgbatch_},
 * {@code batch_}, {@code file-}), so any replica can route a follow-up call with no
 * shared state.
 */
public final class FerryIds {

	/** Marks a minted id, so a native id with the same prefix is not mistaken for one. */
	private static final String MARK = "fy1";

	private static final HexFormat HEX = HexFormat.of();

	private static final ThreadLocal<MessageDigest> MD5 = ThreadLocal.withInitial(FerryIds::md5);

	private static final char SEPARATOR = '\n';

	/**
	 * The prefixes of the ids Ferry mints: OpenAI's batches and files, Anthropic's
	 * batches.
	 */
	private static final List<String> PREFIXES = List.of("batch_", "file-", "msgbatch_");

	private FerryIds() {
	}

	/**
	 * Mints an id.
	 * @param prefix the dialect's id prefix
	 * @param provider the provider name
	 * @param nativeId the provider's id
	 * @return the minted id, in {@code [A-Za-z0-9_-]} after the prefix
	 */
	public static String mint(String prefix, String provider, String nativeId) {
		byte[] payload = (provider + SEPARATOR + nativeId).getBytes(StandardCharsets.UTF_8);
		return prefix + MARK + Base64.getUrlEncoder().withoutPadding().encodeToString(payload);
	}

	/**
	 * Reads a minted id.
	 * @param prefix the dialect's id prefix
	 * @param id the id
	 * @return the provider and native id, or empty for an id Ferry did not mint
	 */
	public static Optional<Minted> decode(String prefix, String id) {
		if (!id.startsWith(prefix + MARK)) {
			return Optional.empty();
		}
		try {
			String payload = new String(Base64.getUrlDecoder().decode(id.substring(prefix.length() + MARK.length())),
					StandardCharsets.UTF_8);
			int separator = payload.indexOf(SEPARATOR);
			if (separator <= 0 || separator == payload.length() - 1) {
				return Optional.empty();
			}
			return Optional.of(new Minted(payload.substring(0, separator), payload.substring(separator + 1)));
		}
		catch (IllegalArgumentException ex) {
			return Optional.empty();
		}
	}

	/**
	 * A stable id derived from a seed, so that lines regenerated or re-translated from
	 * the same input carry the same ids.
	 * @param seed the seed
	 * @return 32 hex digits: the name-based (version 3) UUID of the seed, without dashes
	 */
	public static String stable(String seed) {
		// UUID.nameUUIDFromBytes, with the digest looked up once per thread rather than
		// once per id: result translation mints one id per line.
		byte[] hash = MD5.get().digest(seed.getBytes(StandardCharsets.UTF_8));
		hash[6] = (byte) ((hash[6] & 0x0f) | 0x30);
		hash[8] = (byte) ((hash[8] & 0x3f) | 0x80);
		return HEX.formatHex(hash);
	}

	private static MessageDigest md5() {
		try {
			return MessageDigest.getInstance("MD5");
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException("every Java platform has MD5", ex);
		}
	}

	/**
	 * The provider an id carries, whichever dialect's prefix it has.
	 * @param id an id, or {@code null}
	 * @return the provider name, or empty for an id Ferry did not mint
	 */
	public static Optional<String> providerOf(@Nullable String id) {
		return (id != null) ? minted(id).map(Minted::provider) : Optional.empty();
	}

	/** A minted id read, whichever dialect's prefix it has. */
	private static Optional<Minted> minted(String id) {
		return PREFIXES.stream().map((prefix) -> decode(prefix, id)).flatMap(Optional::stream).findFirst();
	}

	/**
	 * The native id a provider is called with, for any id a caller sends: a Ferry-minted
	 * one (whichever dialect's prefix it has) is decoded, a native one is kept. Either
	 * way the result is checked against the provider's id alphabet before it goes
	 * anywhere near an upstream URL. This is the one place minted ids are decoded, so
	 * providers only ever see native ids.
	 * @param provider the provider the request resolved to
	 * @param param the parameter the id came in, for errors
	 * @param id the id as the caller sent it
	 * @return the native id
	 * @throws ApiError 400 for an id minted for another provider, or outside the
	 * provider's alphabet
	 */
	public static String nativeId(BatchProvider provider, String param, String id) {
		Optional<Minted> minted = minted(id);
		if (minted.isPresent() && !minted.get().provider().equals(provider.name())) {
			throw ApiError.invalid(param,
					param + ": '" + id + "' belongs to provider '" + minted.get().provider() + "', not to provider '"
							+ provider.name() + "' (drop the provider override, or name provider '"
							+ minted.get().provider() + "')");
		}
		String nativeId = minted.map(Minted::nativeId).orElse(id);
		return Params.matching(param, nativeId, provider.descriptor().idPattern(),
				"an id of provider '" + provider.name() + "' matching " + provider.descriptor().idPattern().pattern());
	}

	/**
	 * A decoded minted id.
	 *
	 * @param provider the provider name
	 * @param nativeId the provider's id
	 */
	public record Minted(String provider, String nativeId) {
	}

}
