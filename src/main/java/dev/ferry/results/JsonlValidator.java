package dev.ferry.results;

import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.core.io.buffer.DataBuffer;

/**
 * Watches bytes go by on their way to storage and remembers the first line that is not a
 * JSON object, without consuming the buffers.
 */
public final class JsonlValidator {

	private final LineSplitter splitter;

	private final JsonMapper mapper;

	private long lines;

	private @Nullable String firstError;

	public JsonlValidator(JsonMapper mapper, int maxLineBytes) {
		this.mapper = mapper;
		this.splitter = new LineSplitter(maxLineBytes);
	}

	public void inspect(DataBuffer buffer) {
		if (this.firstError != null) {
			return;
		}
		byte[] bytes = new byte[buffer.readableByteCount()];
		int position = buffer.readPosition();
		buffer.read(bytes);
		buffer.readPosition(position);
		try {
			this.splitter.feed(bytes).forEach(this::check);
		}
		catch (LineTooLongException ex) {
			this.firstError = ex.getMessage();
		}
	}

	/**
	 * The first problem in the stream, once it has ended.
	 * @return a message naming the line, or {@code null} if every line is a JSON object
	 */
	public @Nullable String finish() {
		if (this.firstError == null) {
			this.splitter.finish().forEach(this::check);
		}
		if (this.firstError == null && this.lines == 0) {
			this.firstError = "the file has no lines (expected: one JSON request per line)";
		}
		return this.firstError;
	}

	private void check(JsonLine line) {
		if (this.firstError != null) {
			return;
		}
		this.lines++;
		try {
			if (!this.mapper.readTree(line.text()).isObject()) {
				this.firstError = "line " + line.number() + ": expected a JSON object";
			}
		}
		catch (JacksonException ex) {
			this.firstError = "line " + line.number() + ": not valid JSON (" + ex.getOriginalMessage() + ")";
		}
	}

}
