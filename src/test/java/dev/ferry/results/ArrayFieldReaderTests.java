package dev.ferry.results;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An object with a large array field is read as it arrives: the elements first, one by
 * one, then the object without the field, however the bytes are split.
 */
class ArrayFieldReaderTests {

	private static final String BODY = """
			{"id":"b1","status":"completed","results":[{"custom_id":"a","n":1,"deep":{"x":[1,2.5,true,null]}},
			{"custom_id":"b","s":"\\u00e9t\\u00e9 \\"quoted\\""},"scalar",7],"request_counts":{"total":2},"big":12345678901234}""";

	private final JsonMapper mapper = JsonMapper.builder().build();

	@Test
	void givesEachElementThenTheObjectWithoutTheField() {
		for (int split : new int[] { 1, 3, 7, 64, BODY.length() }) {
			List<ArrayFieldReader.Part> parts = ArrayFieldReader.read(this.mapper, chunks(BODY, split), "results")
				.collectList()
				.block();
			assertThat(parts).as("split every %d bytes", split).hasSize(5);
			assertThat(parts.subList(0, 4)).allSatisfy((part) -> assertThat(part.element()).isTrue());
			assertThat(parts.get(0).node())
				.isEqualTo(this.mapper.readTree("{\"custom_id\":\"a\",\"n\":1,\"deep\":{\"x\":[1,2.5,true,null]}}"));
			assertThat(parts.get(1).node().path("s").asString()).isEqualTo("été \"quoted\"");
			assertThat(parts.get(2).node().asString()).isEqualTo("scalar");
			assertThat(parts.get(3).node().asInt()).isEqualTo(7);
			ArrayFieldReader.Part object = parts.get(4);
			assertThat(object.element()).isFalse();
			assertThat(object.node().has("results")).isFalse();
			assertThat(object.node().path("status").asString()).isEqualTo("completed");
			assertThat(object.node().at("/request_counts/total").asInt()).isEqualTo(2);
			assertThat(object.node().path("big").asLong()).isEqualTo(12_345_678_901_234L);
		}
	}

	@Test
	void aBodyCutShortIsAnError() {
		StepVerifier
			.create(ArrayFieldReader.read(this.mapper, chunks("{\"id\":\"b1\",\"results\":[{\"a\":1}", 4), "results"))
			.expectNextMatches(ArrayFieldReader.Part::element)
			.expectError(tools.jackson.core.JacksonException.class)
			.verify();
	}

	private static Flux<DataBuffer> chunks(String text, int size) {
		byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
		List<DataBuffer> buffers = new ArrayList<>();
		for (int start = 0; start < bytes.length; start += size) {
			byte[] chunk = java.util.Arrays.copyOfRange(bytes, start, Math.min(bytes.length, start + size));
			buffers.add(DefaultDataBufferFactory.sharedInstance.wrap(chunk));
		}
		return Flux.fromIterable(buffers);
	}

}
