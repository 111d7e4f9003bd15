package dev.ferry.provider.vertex;

import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

import com.google.common.io.BaseEncoding;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A request's {@code custom_id} carried in the labels of a Gemini request on Vertex,
 * which echoes each request beside its response but has no id of its own. Label values
 * are lowercase letters, digits, {@code _} and {@code -}, at most 63 characters: an id
 * that fits goes as it is, in {@code ferry_custom_id}; any other is base32-encoded (in
 * lowercase, without padding) across {@code ferry_custom_id_b32_0}, {@code _1}, … So each
 * output line names its request without Ferry holding a table of ids.
 */
final class CustomIdLabels {

	static final String PLAIN = "ferry_custom_id";

	static final String ENCODED = "ferry_custom_id_b32_";

	private static final Pattern LABEL_VALUE = Pattern.compile("[a-z0-9_-]{1,63}");

	private static final int MAX_VALUE = 63;

	private static final BaseEncoding BASE32 = BaseEncoding.base32().lowerCase().omitPadding();

	private CustomIdLabels() {
	}

	/**
	 * Labels a request with its id.
	 * @param request the Gemini request, whose other labels are kept
	 * @param customId the id
	 */
	static void label(ObjectNode request, String customId) {
		ObjectNode labels = request.has("labels") ? (ObjectNode) request.get("labels") : request.putObject("labels");
		if (LABEL_VALUE.matcher(customId).matches()) {
			labels.put(PLAIN, customId);
			return;
		}
		String encoded = BASE32.encode(customId.getBytes(StandardCharsets.UTF_8));
		for (int part = 0; part * MAX_VALUE < encoded.length(); part++) {
			labels.put(ENCODED + part,
					encoded.substring(part * MAX_VALUE, Math.min(encoded.length(), (part + 1) * MAX_VALUE)));
		}
	}

	/**
	 * The id an echoed request was labelled with.
	 * @param labels the echoed request's labels
	 * @return the id, or empty when the request carries none
	 */
	static String customId(JsonNode labels) {
		if (labels.path(PLAIN).isString()) {
			return labels.path(PLAIN).asString();
		}
		StringBuilder encoded = new StringBuilder();
		for (int part = 0; labels.path(ENCODED + part).isString(); part++) {
			encoded.append(labels.path(ENCODED + part).asString());
		}
		return encoded.isEmpty() ? "" : new String(BASE32.decode(encoded), StandardCharsets.UTF_8);
	}

}
