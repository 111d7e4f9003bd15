package dev.ferry.upstream;

import reactor.core.publisher.Flux;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;

/**
 * A JSON request body whose one large array is written item by item as it streams, so
 * that a batch sent inline is never held whole: the opening bytes (the fields before the
 * array and its {@code [}), the items with commas between them, and the closing bytes.
 * Its exact size is known from a first pass, for {@code Content-Length} and for limits.
 */
public final class StreamedArrayBody {

	private StreamedArrayBody() {
	}

	/**
	 * The body's bytes.
	 * @param open everything up to and including the array's {@code [}
	 * @param items the serialized items
	 * @param close everything from the array's {@code ]} on
	 * @return the body, one buffer per item
	 */
	public static Flux<DataBuffer> of(byte[] open, Flux<byte[]> items, byte[] close) {
		Flux<byte[]> separated = items.index().map((indexed) -> {
			byte[] item = indexed.getT2();
			if (indexed.getT1() == 0) {
				return item;
			}
			byte[] withComma = new byte[item.length + 1];
			withComma[0] = ',';
			System.arraycopy(item, 0, withComma, 1, item.length);
			return withComma;
		});
		return Flux.concat(Flux.just(open), separated, Flux.just(close))
			.map(DefaultDataBufferFactory.sharedInstance::wrap);
	}

	/**
	 * The body's exact size.
	 * @param open the opening bytes' length
	 * @param count the number of items
	 * @param itemBytes the items' total length
	 * @param close the closing bytes' length
	 * @return the size in bytes
	 */
	public static long size(int open, long count, long itemBytes, int close) {
		return open + itemBytes + Math.max(0, count - 1) + close;
	}

}
