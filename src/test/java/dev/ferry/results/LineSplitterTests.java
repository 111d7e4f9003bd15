package dev.ferry.results;

import java.util.Random;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class LineSplitterTests {

	@Test
	void findsEveryNewlineWhereAByteScanWould() {
		Random random = new Random(21);
		// Bytes next to a newline's value, and bytes with the high bit set (UTF-8), are
		// where a word-at-a-time scan could go wrong.
		byte[] alphabet = { '\n', 0x0B, 0x09, 0x0A - 0x80, (byte) 0x8A, (byte) 0xFF, 0x00, 0x01, 'a', '{' };
		for (int round = 0; round < 2_000; round++) {
			byte[] bytes = new byte[random.nextInt(40)];
			for (int i = 0; i < bytes.length; i++) {
				bytes[i] = (random.nextInt(4) == 0) ? alphabet[random.nextInt(alphabet.length)] : (byte) 'x';
			}
			int from = (bytes.length == 0) ? 0 : random.nextInt(bytes.length);
			int end = from + ((bytes.length == from) ? 0 : random.nextInt(bytes.length - from + 1));
			assertThat(LineSplitter.indexOfNewline(bytes, from, end)).as("round %d", round)
				.isEqualTo(byteScan(bytes, from, end));
		}
	}

	@Test
	void readsChunksFromTheMiddleOfAnArray() {
		byte[] bytes = "xx{\"a\":1}\n{\"b\":2}\n{\"c\"yy".getBytes();
		LineSplitter splitter = new LineSplitter(1024, 100);
		assertThat(splitter.feed(bytes, 2, 16)).containsExactly(new JsonLine(1, "{\"a\":1}", 108),
				new JsonLine(2, "{\"b\":2}", 116));
		assertThat(splitter.feed(bytes, 18, 4)).isEmpty();
		assertThat(splitter.feed(":3}".getBytes())).isEmpty();
		assertThat(splitter.finish()).containsExactly(new JsonLine(3, "{\"c\":3}", 123));
	}

	private static int byteScan(byte[] bytes, int from, int end) {
		for (int i = from; i < end; i++) {
			if (bytes[i] == '\n') {
				return i;
			}
		}
		return -1;
	}

}
