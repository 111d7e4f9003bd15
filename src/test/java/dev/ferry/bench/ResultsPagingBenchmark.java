package dev.ferry.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.Test;
import tools.jackson.core.JsonParser;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import dev.ferry.results.JsonFields;
import dev.ferry.support.FerryProcess;
import dev.ferry.support.GatewayKey;
import dev.ferry.support.MockUpstreams;
import dev.ferry.support.ResultsUpstream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Pages through a batch output of about 1 GB with Ferry running as its own process under
 * a 256 MB heap, against a MockWebServer upstream that generates the output as it sends
 * it. Reports upstream bytes read ÷ output size, time to the first page of a 1 GB and of
 * a 1 MB output, items per second over the whole traversal, and the gateway's peak heap
 * (from its GC log). Not part of the default test run; see the README for the command.
 */
class ResultsPagingBenchmark {

	private static final int BIG_LINES = Integer.getInteger("bench.lines", 1_000_000);

	/**
	 * The lines of the output paged through before measuring, to see a warm JIT's pace.
	 */
	private static final int WARM_UP_LINES = Integer.getInteger("bench.warm-up-lines", 1_000);

	private static final int LINE_BYTES = 1070;

	private static final int PAGE = 1000;

	private static final Pattern GC_BEFORE = Pattern.compile("(\\d+)M->\\d+M\\(\\d+M\\)");

	private final JsonMapper mapper = JsonMapper.builder().build();

	private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

	@Test
	void pagesThroughAGigabyteUnderA256MegabyteHeap() throws Exception {
		ResultsUpstream results = new ResultsUpstream().completed("batch_1g", BIG_LINES, 0, LINE_BYTES)
			.completed("batch_1m", 1_000, 0, LINE_BYTES)
			.completed("batch_warmup", WARM_UP_LINES, 0, LINE_BYTES);
		try (MockWebServer upstream = MockUpstreams.started()) {
			upstream.setDispatcher(results);
			Path work = Files.createTempDirectory("ferry-bench");
			Path gcLog = work.resolve("gc.log");
			List<String> options = new ArrayList<>(List.of("-Xmx256m", "-Xlog:gc:file=" + gcLog));
			// -Dbench.gateway-options="-XX:StartFlightRecording=filename=/tmp/ferry.jfr",
			// say
			options.addAll(List.of(System.getProperty("bench.gateway-options", "").split(" "))
				.stream()
				.filter((option) -> !option.isBlank())
				.toList());
			FerryProcess ferry = FerryProcess.start(work, options,
					"--ferry.providers.openai.base-url=" + upstream.url("/v1"),
					"--ferry.providers.openai.api-key=sk-bench");
			try {
				String base = ferry.base();
				// The first request of a fresh JVM pays for class loading and JIT; not
				// measured.
				timeToFirstPage(base, "batch_warmup");
				traverse(base, "batch_warmup", WARM_UP_LINES);
				long smallFirst = timeToFirstPage(base, "batch_1m");
				long bigFirst = timeToFirstPage(base, "batch_1g");
				long started = System.nanoTime();
				long items = traverse(base, "batch_1g", BIG_LINES);
				double seconds = (System.nanoTime() - started) / 1e9;
				// The same pages again, now read from the complete spool: Ferry's own
				// pace,
				// without the download's.
				long againStarted = System.nanoTime();
				assertThat(traverse(base, "batch_1g", BIG_LINES)).isEqualTo(BIG_LINES);
				double againSeconds = (System.nanoTime() - againStarted) / 1e9;
				long outputBytes = 0;
				for (int i = 1; i <= BIG_LINES; i++) {
					outputBytes += ResultsUpstream.outputLineLength(i, LINE_BYTES);
				}
				long smallBytes = 0;
				// The 1 MB output and the warm-up, each downloaded once.
				for (int i = 1; i <= 1_000; i++) {
					smallBytes += ResultsUpstream.outputLineLength(i, LINE_BYTES);
				}
				for (int i = 1; i <= WARM_UP_LINES; i++) {
					smallBytes += ResultsUpstream.outputLineLength(i, LINE_BYTES);
				}
				double readRatio = (double) (results.bytesSent() - smallBytes) / outputBytes;
				int downloads = results.outputDownloads("batch_1g");
				// The control: how fast the upstream stub alone serves the same output
				// here.
				double upstreamSeconds = download(upstream.url("/v1/files/file-batch_1g-out/content").toString());
				System.out.printf("%nresults paging benchmark (gateway -Xmx256m)%n");
				System.out.printf("  output                 %,d items, %,d bytes%n", items, outputBytes);
				System.out.printf("  upstream read ratio    %.4f (output downloads: %d)%n", readRatio, downloads);
				System.out.printf("  first page, 1 MB output      %d ms%n", smallFirst);
				System.out.printf("  first page, %,d MB output %d ms%n", outputBytes / 1_000_000, bigFirst);
				System.out.printf("  traversal, downloading %.1f s, %,.0f items/s, %.1f MB/s%n", seconds,
						items / seconds, outputBytes / seconds / 1e6);
				System.out.printf("  traversal, from spool  %.1f s, %,.0f items/s, %.1f MB/s%n", againSeconds,
						items / againSeconds, outputBytes / againSeconds / 1e6);
				System.out.printf("  upstream stub alone    %.1f s, %.1f MB/s (direct download, discarded)%n",
						upstreamSeconds, outputBytes / upstreamSeconds / 1e6);
				System.out.printf("  peak heap (GC log)     %d MB%n%n", peakHeapMegabytes(gcLog));
				assertThat(ferry.isAlive()).as("the gateway survived the traversal").isTrue();
				assertThat(items).isEqualTo(BIG_LINES);
				assertThat(readRatio).isLessThanOrEqualTo(1.05);
			}
			finally {
				ferry.close();
				deleteRecursively(work);
			}
		}
	}

	private long timeToFirstPage(String base, String batch) throws Exception {
		long started = System.nanoTime();
		JsonNode page = get(base + "/v1/batches/" + batch + "/results?provider=openai&limit=100");
		assertThat(page.path("results")).hasSize(100);
		return (System.nanoTime() - started) / 1_000_000;
	}

	/**
	 * Reads every page, checking each custom_id comes exactly once. Pages are read with a
	 * streaming parser that picks out the custom_ids and skips the rest, as a lean client
	 * would, so that the client's own parsing does not take the cores the gateway is
	 * measured on.
	 */
	private long traverse(String base, String batch, int expected) throws Exception {
		BitSet seen = new BitSet(expected + 1);
		long[] items = { 0 };
		String cursor = null;
		do {
			byte[] body = getBytes(base + "/v1/batches/" + batch + "/results?provider=openai&limit=" + PAGE
					+ ((cursor != null) ? "&cursor=" + cursor : ""));
			String[] next = { null };
			try (JsonParser parser = this.mapper.createParser(body)) {
				parser.nextToken();
				JsonFields.forEach(parser, (name) -> {
					switch (name) {
						case "results" ->
							JsonFields.forEachElement(parser, () -> JsonFields.forEach(parser, (field) -> {
								if (field.equals("custom_id")) {
									int id = Integer.parseInt(parser.getString().substring(3));
									assertThat(seen.get(id)).as("custom_id ok-%d seen twice", id).isFalse();
									seen.set(id);
									items[0]++;
								}
							}));
						case "next_cursor" -> next[0] = parser.getString();
						default -> {
						}
					}
				});
			}
			cursor = next[0];
		}
		while (cursor != null);
		assertThat(seen.cardinality()).isEqualTo(expected);
		return items[0];
	}

	private JsonNode get(String uri) throws Exception {
		return this.mapper.readTree(getBytes(uri));
	}

	/**
	 * Downloads a file straight from the upstream, discarding it; returns the seconds.
	 */
	private double download(String uri) throws Exception {
		long started = System.nanoTime();
		HttpResponse<Void> response = this.http.send(
				HttpRequest.newBuilder(URI.create(uri)).timeout(Duration.ofMinutes(5)).build(),
				HttpResponse.BodyHandlers.discarding());
		assertThat(response.statusCode()).isEqualTo(200);
		return (System.nanoTime() - started) / 1e9;
	}

	private byte[] getBytes(String uri) throws Exception {
		HttpResponse<byte[]> response = this.http.send(HttpRequest.newBuilder(URI.create(uri))
			.header("Authorization", GatewayKey.BEARER)
			.timeout(Duration.ofMinutes(2))
			.build(), HttpResponse.BodyHandlers.ofByteArray());
		assertThat(response.statusCode()).as(new String(response.body())).isEqualTo(200);
		return response.body();
	}

	private static long peakHeapMegabytes(Path gcLog) throws IOException {
		long peak = 0;
		List<String> lines = Files.readAllLines(gcLog);
		for (String line : lines) {
			Matcher matcher = GC_BEFORE.matcher(line);
			if (matcher.find()) {
				peak = Math.max(peak, Long.parseLong(matcher.group(1)));
			}
		}
		return peak;
	}

	/** The spool holds a gigabyte; leave nothing behind. */
	private static void deleteRecursively(Path directory) throws IOException {
		try (Stream<Path> paths = Files.walk(directory)) {
			for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
				Files.deleteIfExists(path);
			}
		}
	}

}
