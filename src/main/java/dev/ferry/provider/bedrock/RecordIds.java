package dev.ferry.provider.bedrock;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * A {@code custom_id} as a Bedrock {@code recordId}, which Bedrock documents as
 * alphanumeric: an alphanumeric id goes as it is after a {@code p}; any other as the hex
 * of its UTF-8 bytes after an {@code h}. Each output line names its request again without
 * Ferry holding a table of ids.
 */
final class RecordIds {

	private static final Pattern ALPHANUMERIC = Pattern.compile("[A-Za-z0-9]{1,64}");

	private RecordIds() {
	}

	static String recordId(String customId) {
		return ALPHANUMERIC.matcher(customId).matches() ? "p" + customId
				: "h" + HexFormat.of().formatHex(customId.getBytes(StandardCharsets.UTF_8));
	}

	/**
	 * The {@code custom_id} a record id stands for.
	 * @param recordId the record id Ferry wrote
	 * @return the id, or the record id itself when Ferry did not write it
	 */
	static String customId(String recordId) {
		if (recordId.startsWith("p")) {
			return recordId.substring(1);
		}
		if (recordId.startsWith("h")) {
			try {
				return new String(HexFormat.of().parseHex(recordId.substring(1)), StandardCharsets.UTF_8);
			}
			catch (IllegalArgumentException ex) {
				return recordId;
			}
		}
		return recordId;
	}

}
