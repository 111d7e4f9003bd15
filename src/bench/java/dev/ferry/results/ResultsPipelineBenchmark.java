package dev.ferry.results;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import reactor.core.publisher.Flux;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.util.RawValue;

import dev.ferry.bench.BenchLines;
import dev.ferry.results.ResultCursors.Cursor;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;

/**
 * The results path's building blocks: JSONL framing of downloaded chunks, the paging
 * operator, results items, and cursor signing. Scores are lines (or cursors) per second.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class ResultsPipelineBenchmark {

	/** The size of the chunks a download arrives in. */
	private static final int CHUNK = 16 * 1024;

	private byte[] jsonl;

	private final ResultCursors cursors = new ResultCursors("benchmark-secret");

	private String cursor;

	private final JsonMapper mapper = JsonMapper.builder().build();

	private final ResultItems items = new ResultItems(this.mapper);

	@Setup
	public void data() {
		this.jsonl = BenchLines.jsonl("openai");
		this.cursor = this.cursors.encode(new Cursor("openai", "batch_bench", 4200, 1_234_567));
	}

	/** Downloaded chunks framed into lines, as the spool and file-content paths do. */
	@Benchmark
	@OperationsPerInvocation(BenchLines.LINES)
	public long frameLines() {
		return JsonLines.frame(chunks(), 32 * 1024 * 1024).count().block();
	}

	/** Framed lines cut into pages of 100 by the paging operator. */
	@Benchmark
	@OperationsPerInvocation(BenchLines.LINES)
	public long framedLinesIntoPages() {
		Flux<JsonLine> lines = JsonLines.frame(chunks(), 32 * 1024 * 1024).cache();
		long items = 0;
		for (int skip = 0; skip < BenchLines.LINES; skip += 100) {
			items += Pages.of(lines.skip(skip), 100).block().items().size();
		}
		return items;
	}

	/**
	 * Framed lines turned into results items and written into a page body, as {@code GET
	 * /v1/batches/{id}/results} does for every page.
	 */
	@Benchmark
	@OperationsPerInvocation(BenchLines.LINES)
	public byte[] framedLinesIntoItemsAndPageJson() {
		List<RawValue> page = JsonLines.frame(chunks(), 32 * 1024 * 1024)
			.map((line) -> new RawValue(this.items.item(line, UnaryOperator.identity())))
			.collectList()
			.block();
		return this.mapper.writeValueAsBytes(Map.of("results", page));
	}

	/** A cursor signed and then checked, as each page does. */
	@Benchmark
	public Cursor cursorEncodeDecode() {
		String next = this.cursors.encode(new Cursor("openai", "batch_bench", 4300, 1_300_000));
		this.cursors.decode(this.cursor, "openai", "batch_bench");
		return this.cursors.decode(next, "openai", "batch_bench");
	}

	private Flux<DataBuffer> chunks() {
		return Flux.range(0, (this.jsonl.length + CHUNK - 1) / CHUNK)
			.map((i) -> DefaultDataBufferFactory.sharedInstance
				.wrap(ByteBuffer.wrap(this.jsonl, i * CHUNK, Math.min(CHUNK, this.jsonl.length - i * CHUNK)).slice()));
	}

	/**
	 * Average bytes of one line, to turn lines/s into MB/s.
	 * @return bytes per line
	 */
	public static double bytesPerLine() {
		return BenchLines.jsonl("openai").length / (double) BenchLines.LINES;
	}

}
