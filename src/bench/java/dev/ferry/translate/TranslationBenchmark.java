package dev.ferry.translate;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

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
import org.openjdk.jmh.infra.Blackhole;
import tools.jackson.databind.json.JsonMapper;

import dev.ferry.bench.BenchLines;

/**
 * Translation between the formats, line by line as Ferry does it while streaming: bytes
 * in, parsed, translated, written out. Scores are lines per second.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class TranslationBenchmark {

	private final JsonMapper mapper = JsonMapper.builder().build();

	private final AnthropicResultToChat results = new AnthropicResultToChat(this.mapper);

	private final ChatToMessages requests = new ChatToMessages(this.mapper, 4096);

	private final List<byte[]> anthropicResults = new ArrayList<>();

	private final List<String> chatRequests = new ArrayList<>();

	@Setup
	public void lines() {
		for (int i = 0; i < BenchLines.LINES; i++) {
			this.anthropicResults.add(BenchLines.anthropicResult(i).getBytes(StandardCharsets.UTF_8));
			this.chatRequests.add(BenchLines.chatRequest(i));
		}
	}

	/**
	 * Anthropic result lines to OpenAI batch output lines, as the file-content path does:
	 * from the bytes of a framed line to the bytes of the output line.
	 */
	@Benchmark
	@OperationsPerInvocation(BenchLines.LINES)
	public void anthropicResultsToOpenAiLines(Blackhole out) {
		for (byte[] line : this.anthropicResults) {
			AnthropicResult result = AnthropicResult.read(this.mapper, line, false);
			out.consume(this.results.line(result, result.customId(), "msgbatch_bench", 1763800000L));
		}
	}

	/** OpenAI chat.completions bodies to Anthropic Messages params, as a create does. */
	@Benchmark
	@OperationsPerInvocation(BenchLines.LINES)
	public void openAiRequestsToAnthropicParams(Blackhole out) {
		for (String text : this.chatRequests) {
			out.consume(this.mapper.writeValueAsBytes(this.requests.translate(this.mapper.readTree(text), null)));
		}
	}

	/**
	 * Average input bytes of one line of each benchmark, to turn lines/s into MB/s.
	 * @param benchmark the benchmark method's name
	 * @return bytes per line
	 */
	public static double bytesPerLine(String benchmark) {
		List<String> lines = new ArrayList<>();
		for (int i = 0; i < BenchLines.LINES; i++) {
			lines.add(benchmark.contains("Requests") ? BenchLines.chatRequest(i) : BenchLines.anthropicResult(i));
		}
		return lines.stream().mapToInt((line) -> line.getBytes(StandardCharsets.UTF_8).length + 1).average().orElse(0);
	}

}
