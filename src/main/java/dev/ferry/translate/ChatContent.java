package dev.ferry.translate;

import java.util.function.BiFunction;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import dev.ferry.translate.ChatToMessages.TranslationException;

/**
 * A chat message's {@code content} as the blocks of formats that write text as
 * {@code {text}} (Gemini's parts, Converse's content blocks): a string or text parts, and
 * images where the caller takes them, in the target's own image block.
 */
final class ChatContent {

	private ChatContent() {
	}

	/**
	 * The blocks of one message's content.
	 * @param mapper the mapper
	 * @param content the content: a string or an array of parts
	 * @param where the message's place, for errors
	 * @param images whether image parts are taken here
	 * @param image makes the target's block of an {@code image_url}, given its place
	 * @return the blocks
	 * @throws TranslationException naming a part the target cannot take here
	 */
	static ArrayNode blocks(JsonMapper mapper, JsonNode content, String where, boolean images,
			BiFunction<JsonNode, String, ObjectNode> image) {
		ArrayNode blocks = mapper.createArrayNode();
		if (content.isString()) {
			blocks.addObject().put("text", content.stringValue());
			return blocks;
		}
		if (!content.isArray()) {
			throw new TranslationException(where + ".content: expected a string or an array of content parts");
		}
		int index = 0;
		for (JsonNode part : content) {
			String at = where + ".content[" + index++ + "]";
			String type = part.path("type").asString("");
			if (type.equals("text")) {
				blocks.addObject().put("text", part.path("text").asString(""));
			}
			else if (type.equals("image_url") && images) {
				blocks.add(image.apply(part.path("image_url"), at));
			}
			else {
				throw new TranslationException(
						at + ".type: '" + type + "' (accepted: text" + (images ? ", image_url" : "") + " here)");
			}
		}
		return blocks;
	}

}
