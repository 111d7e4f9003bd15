package dev.ferry.results;

import java.util.Arrays;

import org.jspecify.annotations.Nullable;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.ObjectReadContext;
import tools.jackson.core.exc.StreamReadException;
import tools.jackson.core.io.JsonStringEncoder;
import tools.jackson.databind.json.JsonMapper;

/**
 * Takes a JSON document apart property by property from a streaming parser, so that a
 * result line can be read and rewritten without building a tree of it: only the values
 * asked for are decoded, everything else is skipped, and a value that is carried over
 * unchanged is cut out of the source text as it is.
 */
public final class JsonFields {

	private JsonFields() {
	}

	/**
	 * A streaming parser of one line, with the mapper's read constraints: straight from
	 * the token stream factory, without the databind context a
	 * {@code mapper.createParser} sets up for every parser and a line never uses.
	 * @param mapper the mapper
	 * @param line the line's UTF-8 bytes
	 * @return the parser, before the first token
	 */
	public static JsonParser parser(JsonMapper mapper, byte[] line) {
		return mapper.tokenStreamFactory().createParser(ObjectReadContext.empty(), line);
	}

	/**
	 * Checks that nothing follows the value just read, as a tree read would.
	 * @param parser the parser, past one value
	 * @throws StreamReadException when more follows
	 */
	public static void requireEnd(JsonParser parser) {
		if (parser.nextToken() != null) {
			throw new StreamReadException(parser, "more follows the line's JSON value");
		}
	}

	/** Reads the value of one property; the parser is at the value. */
	@FunctionalInterface
	public interface PropertyReader {

		/**
		 * Reads the value, or leaves it to be skipped.
		 * @param name the property's name
		 */
		void read(String name);

	}

	/**
	 * Calls {@code reader} with each property of the object the parser is at. Whatever
	 * the reader leaves unread is skipped, so a reader handles only the properties it
	 * wants. A value that is not an object has no properties and is skipped whole.
	 * @param parser the parser, at the value
	 * @param reader reads the properties it wants
	 */
	public static void forEach(JsonParser parser, PropertyReader reader) {
		if (parser.currentToken() != JsonToken.START_OBJECT) {
			parser.skipChildren();
			return;
		}
		while (parser.nextToken() == JsonToken.PROPERTY_NAME) {
			String name = parser.currentName();
			parser.nextToken();
			reader.read(name);
			parser.skipChildren();
		}
	}

	/**
	 * Calls {@code reader} at each element of the array the parser is at; whatever the
	 * reader leaves unread is skipped. A value that is not an array is skipped whole.
	 * @param parser the parser, at the value
	 * @param reader reads an element; the parser is at it
	 */
	public static void forEachElement(JsonParser parser, Runnable reader) {
		if (parser.currentToken() != JsonToken.START_ARRAY) {
			parser.skipChildren();
			return;
		}
		while (parser.nextToken() != JsonToken.END_ARRAY) {
			reader.run();
			parser.skipChildren();
		}
	}

	/**
	 * The text of a scalar value, as {@code JsonNode.asString(fallback)} gives it: a
	 * string as it is, a number or boolean as written.
	 * @param parser the parser, at the value
	 * @param fallback the text of a null, an object or an array
	 * @return the text
	 */
	public static @Nullable String text(JsonParser parser, @Nullable String fallback) {
		return parser.getValueAsString(fallback);
	}

	/**
	 * Cuts the value the parser is at out of the source, unchanged, and moves the parser
	 * past it.
	 * @param parser the parser, at the value, reading {@code source}
	 * @param source the UTF-8 bytes the parser reads
	 * @return the value's JSON text
	 */
	public static RawJson raw(JsonParser parser, byte[] source) {
		return cut(parser, source, () -> {
		});
	}

	/**
	 * Cuts the value the parser is at out of the source, unchanged, while reading what is
	 * wanted of it on the way.
	 * @param parser the parser, at the value, reading {@code source}
	 * @param source the UTF-8 bytes the parser reads
	 * @param reading reads the value, with {@link #forEach} or the like, leaving the
	 * parser at its last token; or reads nothing
	 * @return the value's JSON text
	 */
	public static RawJson cut(JsonParser parser, byte[] source, Runnable reading) {
		int start = (int) parser.currentTokenLocation().getByteOffset();
		reading.run();
		parser.skipChildren();
		parser.finishToken();
		int end = (int) parser.currentLocation().getByteOffset();
		return new RawJson(source, start, end - start);
	}

	/**
	 * The text of a scalar value as the inside of a JSON string: a string's bytes cut out
	 * of the source still escaped, without decoding them, so that text carried into
	 * another document is copied rather than decoded and encoded again.
	 * @param parser the parser, at the value, reading {@code source}
	 * @param source the UTF-8 bytes the parser reads
	 * @param fallback the text of a null, an object or an array
	 * @return escaped UTF-8 bytes, to be written between quotes
	 */
	public static byte[] escapedText(JsonParser parser, byte[] source, String fallback) {
		if (parser.currentToken() != JsonToken.VALUE_STRING) {
			String text = parser.getValueAsString(fallback);
			return JsonStringEncoder.getInstance().quoteAsUTF8((text != null) ? text : fallback);
		}
		// The token starts at its opening quote; the parser has not read further yet.
		int open = (int) parser.currentTokenLocation().getByteOffset();
		int close = open + 1;
		while (close < source.length && source[close] != '"') {
			close += (source[close] == '\\') ? 2 : 1;
		}
		if (close >= source.length) {
			// Unterminated: the parser reports it as it would any malformed document.
			parser.finishToken();
		}
		return Arrays.copyOfRange(source, open + 1, close);
	}

}
