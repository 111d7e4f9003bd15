package dev.ferry.bench.load;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongFunction;

import io.netty.handler.codec.http.HttpMethod;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;

/**
 * An open-loop load driver: sends one kind of request at a fixed rate, whether or not
 * earlier ones have been answered, and measures each from the moment it was due (so a
 * stall shows in the latencies instead of slowing the sender). Every scenario runs
 * directly against the upstream stub and through Ferry to the same stub, and the
 * difference is printed; then both are driven to saturation. Every path through Ferry is
 * first warmed up closed-loop with a few requests in flight, and each run is preceded by
 * an open-loop warm-up as long as itself, so that the JIT has compiled the paths it
 * measures.
 *
 * <p>
 * {@code LoadDriver <stub-url> <ferry-url> <gateway-key> <rate/s> <seconds> <connections>}
 */
public final class LoadDriver {

	private LoadDriver() {
	}

	/**
	 * Requests in flight while warming Ferry up, few enough to leave the JIT its share.
	 */
	private static final int WARM_UP_IN_FLIGHT = 16;

	public static void main(String[] args) throws InterruptedException {
		String stub = args[0];
		String ferry = args[1];
		String key = args[2];
		int rate = Integer.parseInt(args[3]);
		Duration duration = Duration.ofSeconds(Long.parseLong(args[4]));
		int connections = Integer.parseInt(args[5]);
		ConnectionProvider pool = ConnectionProvider.builder("load")
			.maxConnections(connections)
			.pendingAcquireMaxCount(-1)
			.build();
		HttpClient client = HttpClient.create(pool).responseTimeout(Duration.ofSeconds(30));
		List<Scenario> scenarios = List.of(
				new Scenario("retrieve", HttpMethod.GET, (n) -> stub + "/v1/batches/batch_" + n,
						(n) -> ferry + "/openai/v1/batches/batch_" + n),
				new Scenario("list", HttpMethod.GET, (n) -> stub + "/v1/batches?limit=20",
						(n) -> ferry + "/openai/v1/batches?limit=20"),
				new Scenario("cancel", HttpMethod.POST, (n) -> stub + "/v1/batches/batch_" + n + "/cancel",
						(n) -> ferry + "/openai/v1/batches/batch_" + n + "/cancel"),
				new Scenario("results page (100 lines)", HttpMethod.GET, (n) -> stub + "/v1/files/file-out/content",
						(n) -> ferry + "/v1/batches/batch_done_1/results?provider=openai&limit=100"));
		// A fresh JVM at full load on shared cores can starve its own JIT compiler
		// threads
		// and never catch up, so every path through Ferry is first run closed-loop, with
		// a
		// few requests in flight, before anything is measured.
		for (Scenario scenario : scenarios) {
			closedLoop(client, scenario.method(), scenario.viaFerry(), key, WARM_UP_IN_FLIGHT, duration);
		}
		System.out.printf(Locale.ROOT,
				"open loop at %d req/s for %ds (after a closed-loop warm-up of every path through Ferry, "
						+ "and an open-loop one as long as each run), %d connections%n%n",
				rate, duration.toSeconds(), connections);
		System.out.printf(Locale.ROOT, "%-26s %-7s %9s %9s %9s %9s %8s %7s%n", "scenario", "target", "p50 ms", "p99 ms",
				"p99.9 ms", "max ms", "req/s", "errors");
		for (Scenario scenario : scenarios) {
			Result direct = openLoop(client, scenario, scenario.direct(), null, rate, duration);
			Result through = openLoop(client, scenario, scenario.viaFerry(), key, rate, duration);
			print(scenario.name(), "direct", direct);
			print(scenario.name(), "ferry", through);
			System.out.printf(Locale.ROOT, "%-26s %-7s %9.2f %9.2f %9.2f%n", scenario.name(), "added",
					ms(through.latencies().getValueAtPercentile(50) - direct.latencies().getValueAtPercentile(50)),
					ms(through.latencies().getValueAtPercentile(99) - direct.latencies().getValueAtPercentile(99)),
					ms(through.latencies().getValueAtPercentile(99.9) - direct.latencies().getValueAtPercentile(99.9)));
		}
		Scenario retrieve = scenarios.get(0);
		double directMax = closedLoop(client, HttpMethod.GET, retrieve.direct(), null, connections, duration);
		double ferryMax = closedLoop(client, HttpMethod.GET, retrieve.viaFerry(), key, connections, duration);
		System.out.printf(Locale.ROOT,
				"%nsaturation (retrieve, %d in flight): direct %.0f req/s, through Ferry %.0f req/s" + " = %.0f%%%n",
				connections, directMax, ferryMax, 100 * ferryMax / directMax);
		pool.dispose();
	}

	private static Result openLoop(HttpClient client, Scenario scenario, LongFunction<String> url, String key, int rate,
			Duration duration) throws InterruptedException {
		openLoopRun(client, scenario.method(), url, key, rate, duration);
		return openLoopRun(client, scenario.method(), url, key, rate, duration);
	}

	private static Result openLoopRun(HttpClient client, HttpMethod method, LongFunction<String> url, String key,
			int rate, Duration duration) throws InterruptedException {
		Histogram latencies = new ConcurrentHistogram(TimeUnit.SECONDS.toNanos(60), 3);
		AtomicLong errors = new AtomicLong();
		long total = rate * duration.toSeconds();
		CountDownLatch done = new CountDownLatch((int) total);
		long interval = TimeUnit.SECONDS.toNanos(1) / rate;
		long start = System.nanoTime();
		for (long n = 0; n < total; n++) {
			long due = start + n * interval;
			long wait = due - System.nanoTime();
			if (wait > 0) {
				LockSupport.parkNanos(wait);
			}
			send(client, method, url.apply(n), key).subscribe((status) -> {
				latencies.recordValue(System.nanoTime() - due);
				if (status >= 400) {
					errors.incrementAndGet();
				}
				done.countDown();
			}, (failure) -> {
				latencies.recordValue(System.nanoTime() - due);
				errors.incrementAndGet();
				done.countDown();
			});
		}
		done.await(60, TimeUnit.SECONDS);
		double seconds = (System.nanoTime() - start) / 1e9;
		return new Result(latencies, errors.get(), total / seconds);
	}

	/** As many requests as fit in {@code inFlight} at once, for {@code duration}. */
	private static double closedLoop(HttpClient client, HttpMethod method, LongFunction<String> url, String key,
			int inFlight, Duration duration) throws InterruptedException {
		Semaphore slots = new Semaphore(inFlight);
		AtomicLong completed = new AtomicLong();
		long warmUpEnd = System.nanoTime() + duration.toNanos();
		long end = warmUpEnd + duration.toNanos();
		long n = 0;
		while (System.nanoTime() < end) {
			slots.acquire();
			send(client, method, url.apply(n++), key).subscribe((status) -> {
				if (System.nanoTime() > warmUpEnd && status < 400) {
					completed.incrementAndGet();
				}
				slots.release();
			}, (failure) -> slots.release());
		}
		slots.acquire(inFlight);
		return completed.get() / (double) duration.toSeconds();
	}

	private static reactor.core.publisher.Mono<Integer> send(HttpClient client, HttpMethod method, String url,
			String key) {
		HttpClient withKey = (key != null) ? client.headers((headers) -> headers.set("Authorization", "Bearer " + key))
				: client;
		return withKey.request(method)
			.uri(url)
			.responseSingle((response,
					body) -> body.asByteArray().defaultIfEmpty(new byte[0]).map((bytes) -> response.status().code()));
	}

	private static void print(String scenario, String target, Result result) {
		Histogram h = result.latencies();
		System.out.printf(Locale.ROOT, "%-26s %-7s %9.2f %9.2f %9.2f %9.2f %8.0f %7d%n", scenario, target,
				ms(h.getValueAtPercentile(50)), ms(h.getValueAtPercentile(99)), ms(h.getValueAtPercentile(99.9)),
				ms(h.getMaxValue()), result.achievedRate(), result.errors());
	}

	private static double ms(long nanos) {
		return nanos / 1e6;
	}

	private record Scenario(String name, HttpMethod method, LongFunction<String> direct,
			LongFunction<String> viaFerry) {
	}

	private record Result(Histogram latencies, long errors, double achievedRate) {
	}

}
