package dev.ferry.bench;

import java.util.Collection;
import java.util.Locale;

import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.OptionsBuilder;

import dev.ferry.results.ResultsPipelineBenchmark;
import dev.ferry.translate.TranslationBenchmark;

/**
 * Runs the JMH benchmarks and prints each score as items per second and, for the ones
 * that move lines, as MB per second of input (1 MB = 10^6 bytes).
 */
public final class RunBenchmarks {

	private RunBenchmarks() {
	}

	public static void main(String[] args) throws RunnerException {
		String include = (args.length > 0) ? args[0] : "dev\\.ferry\\..*Benchmark";
		Collection<RunResult> results = new Runner(new OptionsBuilder().include(include).build()).run();
		System.out.println();
		System.out.printf(Locale.ROOT, "%-60s %16s %10s%n", "benchmark (one thread)", "items/s", "MB/s");
		for (RunResult result : results) {
			String name = result.getParams().getBenchmark();
			double perSecond = result.getPrimaryResult().getScore();
			double bytes = bytesPerItem(name);
			System.out.printf(Locale.ROOT, "%-60s %16.0f %10s%n", name.replace("dev.ferry.", ""), perSecond,
					(bytes > 0) ? String.format(Locale.ROOT, "%.1f", perSecond * bytes / 1e6) : "-");
		}
	}

	private static double bytesPerItem(String benchmark) {
		if (benchmark.contains("TranslationBenchmark")) {
			return TranslationBenchmark.bytesPerLine(benchmark);
		}
		if (benchmark.contains("ResultsPipelineBenchmark") && !benchmark.contains("cursor")) {
			return ResultsPipelineBenchmark.bytesPerLine();
		}
		return 0;
	}

}
