package dev.ferry.results;

import java.io.IOException;
import java.io.InputStream;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import org.jspecify.annotations.Nullable;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Flux;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;

/**
 * An {@link InputStream} over a stream of buffers, for a decoder that can only read a
 * stream (Avro's): the reader, on a bounded scheduler, waits for buffers; the event loop
 * that delivers them only queues them and wakes the reader, with no lock it could wait
 * on. At most {@code prefetch} buffers are asked for ahead of the reader, so memory stays
 * bounded whatever the download's size.
 */
public final class StreamedInput extends InputStream implements CoreSubscriber<DataBuffer> {

	/** The longest the reader sleeps before looking again, in case a wake-up was lost. */
	private static final long NAP_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

	private final Queue<DataBuffer> queue = new ConcurrentLinkedQueue<>();

	private final int prefetch;

	private volatile @Nullable Subscription subscription;

	private volatile boolean done;

	private volatile @Nullable Throwable error;

	private volatile @Nullable Thread reader;

	private volatile boolean closed;

	/** The buffer being read; only the reader touches it. */
	private @Nullable DataBuffer current;

	private StreamedInput(int prefetch) {
		this.prefetch = prefetch;
	}

	/**
	 * Subscribes to the buffers and reads them as a stream.
	 * @param buffers the bytes
	 * @param prefetch how many buffers may wait to be read
	 * @return the stream, to be read off the event loop and closed when done
	 */
	public static StreamedInput of(Flux<DataBuffer> buffers, int prefetch) {
		StreamedInput input = new StreamedInput(prefetch);
		buffers.subscribe(input);
		return input;
	}

	@Override
	public void onSubscribe(Subscription subscription) {
		this.subscription = subscription;
		subscription.request(this.prefetch);
	}

	@Override
	public void onNext(DataBuffer buffer) {
		if (this.closed) {
			DataBufferUtils.release(buffer);
			return;
		}
		this.queue.offer(buffer);
		wake();
	}

	@Override
	public void onError(Throwable failure) {
		this.error = failure;
		this.done = true;
		wake();
	}

	@Override
	public void onComplete() {
		this.done = true;
		wake();
	}

	private void wake() {
		Thread waiting = this.reader;
		if (waiting != null) {
			LockSupport.unpark(waiting);
		}
	}

	@Override
	public int read() throws IOException {
		byte[] one = new byte[1];
		return (read(one, 0, 1) == -1) ? -1 : one[0] & 0xff;
	}

	@Override
	public int read(byte[] bytes, int offset, int length) throws IOException {
		if (length == 0) {
			return 0;
		}
		while (true) {
			if (this.closed) {
				throw new IOException("the stream is closed");
			}
			DataBuffer buffer = this.current;
			if (buffer != null && buffer.readableByteCount() > 0) {
				int count = Math.min(length, buffer.readableByteCount());
				buffer.read(bytes, offset, count);
				return count;
			}
			if (buffer != null) {
				DataBufferUtils.release(buffer);
				this.current = null;
				Subscription upstream = this.subscription;
				if (upstream != null) {
					upstream.request(1);
				}
			}
			this.current = this.queue.poll();
			if (this.current == null && !awaitMore()) {
				Throwable failure = this.error;
				if (failure != null) {
					throw new IOException("the download failed: " + failure.getMessage(), failure);
				}
				return -1;
			}
		}
	}

	/**
	 * Waits until a buffer is queued or the stream has ended.
	 * @return true if there may be more to read
	 */
	private boolean awaitMore() throws IOException {
		while (this.queue.isEmpty()) {
			if (this.done) {
				return !this.queue.isEmpty();
			}
			this.reader = Thread.currentThread();
			if (this.queue.isEmpty() && !this.done) {
				LockSupport.parkNanos(this, NAP_NANOS);
			}
			this.reader = null;
			if (Thread.interrupted()) {
				throw new IOException("interrupted while waiting for the download");
			}
		}
		return true;
	}

	@Override
	public void close() {
		if (this.closed) {
			return;
		}
		this.closed = true;
		Subscription upstream = this.subscription;
		if (upstream != null) {
			upstream.cancel();
		}
		if (this.current != null) {
			DataBufferUtils.release(this.current);
			this.current = null;
		}
		DataBuffer queued;
		while ((queued = this.queue.poll()) != null) {
			DataBufferUtils.release(queued);
		}
	}

}
