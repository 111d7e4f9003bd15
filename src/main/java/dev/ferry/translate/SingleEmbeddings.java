package dev.ferry.translate;

import java.util.Set;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import dev.ferry.translate.ChatToMessages.TranslationException;

/**
 * Embedding requests for providers that embed one text per request (Gemini, Amazon
 * Titan): the one text of an OpenAI {@code embeddings} body, and the OpenAI list that
 * carries the one vector back.
 */
public final class SingleEmbeddings {

	private static final Set<String> ACCEPTED = Set.of("model", "input", "dimensions", "encoding_format");

	private SingleEmbeddings() {
	}

	/**
	 * The text of an embeddings body that asks for one vector of floats.
	 * @param body the body, whose {@code dimensions} the caller maps itself
	 * @param provider the provider's name in messages, such as {@code Gemini}
	 * @return the text
	 * @throws TranslationException naming a field, or an input, the provider cannot take
	 */
	public static String text(JsonNode body, String provider) {
		for (String field : body.propertyNames()) {
			if (!ACCEPTED.contains(field)) {
				throw new TranslationException(field + ": " + provider
						+ "'s embeddings have no equal (accepted: input, dimensions, encoding_format)");
			}
		}
		JsonNode input = body.path("input");
		if (input.isArray() && input.size() == 1) {
			input = input.get(0);
		}
		if (!input.isString()) {
			throw new TranslationException("input: " + provider
					+ " embeds one text per request (accepted: a string, or an array of one string)");
		}
		String encoding = body.path("encoding_format").asString("float");
		if (!encoding.equals("float")) {
			throw new TranslationException("encoding_format: '" + encoding + "' (accepted: float)");
		}
		return input.stringValue();
	}

	/**
	 * The OpenAI embeddings list for one vector.
	 * @param mapper the mapper
	 * @param vector the vector
	 * @param model the model
	 * @param tokens the input's tokens, 0 where the provider reports none
	 * @return the list
	 */
	public static ObjectNode list(JsonMapper mapper, JsonNode vector, String model, long tokens) {
		ObjectNode list = mapper.createObjectNode().put("object", "list");
		list.putArray("data").addObject().put("object", "embedding").put("index", 0).set("embedding", vector);
		list.put("model", model);
		list.putObject("usage").put("prompt_tokens", tokens).put("total_tokens", tokens);
		return list;
	}

}
