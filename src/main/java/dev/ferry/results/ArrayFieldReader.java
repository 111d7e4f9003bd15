package dev.ferry.results;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.ObjectReadContext;
import tools.jackson.core.async.ByteArrayFeeder;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;

/**
 * Reads a JSON object with one array field that may be large (a batch object carrying its
 * results inline) as its bytes arrive, with a non-blocking parser: each element of that
 * array is given as soon as it is whole and then let go, and the object is given last
 * without the field. Memory holds one element at a time, whatever the array's size.
 */
public final class ArrayFieldReader {

	private ArrayFieldReader() {
	}

	/**
	 * Reads the object.
	 * @param mapper the mapper whose parser factory is used
	 * @param body the object's bytes
	 * @param field the top-level array field to stream
	 * @return the field's elements in order, then the object without the field
	 */
	public static Flux<Part> read(JsonMapper mapper, Flux<DataBuffer> body, String field) {
		return Flux.defer(() -> {
			State state = new State(mapper, field);
			return body.concatMapIterable((buffer) -> {
				try {
					byte[] bytes = new byte[buffer.readableByteCount()];
					buffer.read(bytes);
					return state.feed(bytes);
				}
				finally {
					DataBufferUtils.release(buffer);
				}
			}).concatWith(Flux.defer(() -> Flux.fromIterable(state.finish())));
		});
	}

	/**
	 * One part of the object.
	 *
	 * @param element whether it is an element of the array (otherwise the object)
	 * @param node the element, or the object without the array
	 */
	public record Part(boolean element, JsonNode node) {
	}

	/** The parser and what it is building, for one read. */
	private static final class State {

		private final JsonParser parser;

		private final ByteArrayFeeder feeder;

		private final String field;

		private final JsonNodeFactory nodes = JsonNodeFactory.instance;

		/** The containers being built, innermost last; the root object first. */
		private final Deque<JsonNode> open = new ArrayDeque<>();

		private final Deque<@Nullable String> names = new ArrayDeque<>();

		private @Nullable String name;

		private @Nullable ObjectNode root;

		/** Whether the parser is inside the streamed array, at its own depth. */
		private boolean inArray;

		State(JsonMapper mapper, String field) {
			this.parser = mapper.tokenStreamFactory().createNonBlockingByteArrayParser(ObjectReadContext.empty());
			this.feeder = (ByteArrayFeeder) this.parser.nonBlockingInputFeeder();
			this.field = field;
		}

		List<Part> feed(byte[] bytes) {
			this.feeder.feedInput(bytes, 0, bytes.length);
			return drain();
		}

		List<Part> finish() {
			this.feeder.endOfInput();
			List<Part> parts = drain();
			if (this.root == null || !this.open.isEmpty()) {
				throw new IllegalStateException("the body ended before its JSON object did");
			}
			parts.add(new Part(false, this.root));
			return parts;
		}

		private List<Part> drain() {
			List<Part> parts = new ArrayList<>();
			JsonToken token;
			while ((token = this.parser.nextToken()) != null && token != JsonToken.NOT_AVAILABLE) {
				take(token, parts);
			}
			return parts;
		}

		private void take(JsonToken token, List<Part> parts) {
			switch (token) {
				case PROPERTY_NAME -> this.name = this.parser.currentName();
				case START_OBJECT, START_ARRAY -> start(token);
				case END_OBJECT, END_ARRAY -> end(parts);
				default -> value(this.parser, parts);
			}
		}

		private void start(JsonToken token) {
			if (this.open.size() == 1 && this.field.equals(this.name) && token == JsonToken.START_ARRAY) {
				this.inArray = true;
				this.name = null;
				return;
			}
			JsonNode container = (token == JsonToken.START_OBJECT) ? this.nodes.objectNode() : this.nodes.arrayNode();
			if (this.open.isEmpty() && !this.inArray) {
				if (!(container instanceof ObjectNode object)) {
					throw new IllegalStateException("expected a JSON object");
				}
				this.root = object;
			}
			this.names.push((this.name != null) ? this.name : "");
			this.open.push(container);
			this.name = null;
		}

		private void end(List<Part> parts) {
			if (this.inArray && this.open.size() == 1) {
				this.inArray = false;
				return;
			}
			JsonNode done = this.open.pop();
			String as = this.names.pop();
			if (this.open.isEmpty()) {
				if (this.inArray) {
					parts.add(new Part(true, done));
				}
				return;
			}
			if (this.inArray && this.open.size() == 1) {
				parts.add(new Part(true, done));
				return;
			}
			attach(this.open.peek(), as, done);
		}

		private void value(JsonParser parser, List<Part> parts) {
			JsonNode value = switch (parser.currentToken()) {
				case VALUE_STRING -> this.nodes.stringNode(parser.getString());
				case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> number(parser.getNumberValue());
				case VALUE_TRUE -> this.nodes.booleanNode(true);
				case VALUE_FALSE -> this.nodes.booleanNode(false);
				default -> this.nodes.nullNode();
			};
			if (this.inArray && this.open.size() == 1) {
				parts.add(new Part(true, value));
				return;
			}
			if (this.open.isEmpty()) {
				throw new IllegalStateException("expected a JSON object");
			}
			attach(this.open.peek(), this.name, value);
			this.name = null;
		}

		private JsonNode number(Number number) {
			if (number instanceof Integer value) {
				return this.nodes.numberNode(value);
			}
			if (number instanceof Long value) {
				return this.nodes.numberNode(value);
			}
			if (number instanceof java.math.BigInteger value) {
				return this.nodes.numberNode(value);
			}
			if (number instanceof java.math.BigDecimal value) {
				return this.nodes.numberNode(value);
			}
			return this.nodes.numberNode(number.doubleValue());
		}

		private static void attach(JsonNode container, @Nullable String name, JsonNode value) {
			if (container instanceof ObjectNode object) {
				object.set((name != null) ? name : "", value);
			}
			else {
				((ArrayNode) container).add(value);
			}
		}

	}

}
