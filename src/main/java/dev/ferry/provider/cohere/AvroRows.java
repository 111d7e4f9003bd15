package dev.ferry.provider.cohere;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

import org.apache.avro.file.DataFileStream;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Scheduler;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import dev.ferry.results.StreamedInput;

import org.springframework.core.io.buffer.DataBuffer;

/**
 * Reads an Avro container file (a part of a Cohere dataset) row by row as its bytes
 * arrive. Avro's reader takes an {@link InputStream}, so it runs on a bounded scheduler
 * fed from the download through a {@link StreamedInput}, never on an event loop; it holds
 * one block of rows at a time, whatever the file's size.
 */
final class AvroRows {

	/** Buffers the download may run ahead of the reader. */
	private static final int DEMAND = 16;

	private AvroRows() {
	}

	/**
	 * The rows, each as JSON.
	 * @param body the file's bytes
	 * @param mapper the mapper
	 * @param blocking the bounded scheduler the reader runs on
	 * @return the rows in file order
	 */
	static Flux<JsonNode> read(Flux<DataBuffer> body, JsonMapper mapper, Scheduler blocking) {
		return Flux.using(() -> StreamedInput.of(body, DEMAND), (input) -> rows(input, mapper), StreamedInput::close)
			.subscribeOn(blocking);
	}

	private static Flux<JsonNode> rows(InputStream input, JsonMapper mapper) {
		return Flux.using(() -> new DataFileStream<>(input, new GenericDatumReader<GenericRecord>()),
				(stream) -> Flux.<JsonNode>generate((sink) -> {
					if (stream.hasNext()) {
						sink.next(mapper.readTree(GenericData.get().toString(stream.next())));
					}
					else {
						sink.complete();
					}
				}), AvroRows::close);
	}

	private static void close(java.io.Closeable closeable) {
		try {
			closeable.close();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

}
