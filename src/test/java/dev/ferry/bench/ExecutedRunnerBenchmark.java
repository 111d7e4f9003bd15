package dev.ferry.bench;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import com.openai.client.OpenAIClient;
import com.openai.models.batches.Batch;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.server.HttpServer;

import dev.ferry.support.FerryProcess;
import dev.ferry.support.OpenAiBatches;
import dev.ferry.support.OpenAiClients;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The overhead of the runner that executes batches against a synchronous API, measured
 * against a stub that answers every chat completion at once from prepared bytes. Ferry
 * runs as its own process from the packaged jar, with the default chunk size. Reports:
 * <ul>
 * <li>lines per second of a batch on a provider with {@code max-concurrency: 64}, beside
 * the stub's own calls per second from one client at the same concurrency;</li>
 * <li>the latency the runner adds to a line: a batch on a provider with
 * {@code max-concurrency: 1} takes so long per line, less one direct call's round
 * trip.</li>
 * </ul>
 * Not part of the default test run; see the README for the command.
 */
class ExecutedRunnerBenchmark {

	private static final int LINES = Integer.getInteger("bench.lines", 20_000);

	private static final int SERIAL_LINES = 2_000;

	private static final byte[] ANSWER = ("{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\",\"model\":\"llama\","
			+ "\"choices\":[{\"index\":0,\"finish_reason\":\"stop\",\"message\":{\"role\":\"assistant\","
			+ "\"content\":\"an answer of a few words\"}}],"
			+ "\"usage\":{\"prompt_tokens\":10,\"completion_tokens\":6,\"total_tokens\":16}}")
		.getBytes(StandardCharsets.UTF_8);

	@Test
	void runnerOverheadAgainstAZeroLatencyStub() throws Exception {
		DisposableServer stub = HttpServer.create()
			.host("127.0.0.1")
			.port(0)
			.route((routes) -> routes.post("/v1/chat/completions",
					(request, response) -> request.receive()
						.then()
						.then(response.header("Content-Type", "application/json")
							.header("Content-Length", Integer.toString(ANSWER.length))
							.send(Mono.just(Unpooled.wrappedBuffer(ANSWER)))
							.then())))
			.bindNow();
		Path work = Files.createTempDirectory("ferry-runner-bench");
		String upstream = "http://127.0.0.1:" + stub.port() + "/v1";
		try (FerryProcess ferry = FerryProcess.start(work, List.of("-Xmx512m"), "--ferry.providers.wide.type=vllm",
				"--ferry.providers.wide.base-url=" + upstream, "--ferry.providers.wide.max-concurrency=64",
				"--ferry.providers.serial.type=vllm", "--ferry.providers.serial.base-url=" + upstream,
				"--ferry.providers.serial.max-concurrency=1")) {
			HttpClient direct = HttpClient.create().baseUrl(upstream);
			byte[] request = OpenAiBatches.chatLines("llama", List.of("a question of a few words"));
			// Warm both sides up: the stub and client, then Ferry's runner.
			directCalls(direct, request, 5_000, 64);
			run(ferry, "wide", 5_000);
			run(ferry, "serial", 500);

			double directSerialMicros = directCalls(direct, request, SERIAL_LINES, 1) * 1e6 / SERIAL_LINES;
			double directWideSeconds = directCalls(direct, request, LINES, 64);
			Result wide = run(ferry, "wide", LINES);
			Result serial = run(ferry, "serial", SERIAL_LINES);
			double serialMicros = serial.runSeconds() * 1e6 / SERIAL_LINES;

			System.out.printf("%nexecuted runner benchmark (zero-latency stub, default chunk size)%n");
			System.out.printf("  stub alone, 64 concurrent  %,.0f calls/s%n", LINES / directWideSeconds);
			System.out.printf("  batch, max-concurrency 64  %,.0f lines/s (%,d lines in %.1f s; create %.2f s)%n",
					LINES / wide.runSeconds(), LINES, wide.runSeconds(), wide.createSeconds());
			System.out.printf("  stub alone, one at a time  %.0f µs a call%n", directSerialMicros);
			System.out.printf("  batch, max-concurrency 1   %.0f µs a line: %.0f µs added by the runner%n%n",
					serialMicros, serialMicros - directSerialMicros);
			assertThat(ferry.isAlive()).isTrue();
		}
		finally {
			stub.disposeNow();
		}
	}

	/** Calls the stub directly; returns the seconds taken. */
	private static double directCalls(HttpClient client, byte[] line, int calls, int concurrency) {
		byte[] body = body(line);
		long started = System.nanoTime();
		Long done = Flux.range(0, calls)
			.flatMap((call) -> client.post()
				.uri("/chat/completions")
				.send(Mono.just(Unpooled.wrappedBuffer(body)))
				.responseSingle((response, bytes) -> bytes.asByteArray()), concurrency)
			.count()
			.block(Duration.ofMinutes(5));
		assertThat(done).isEqualTo(calls);
		return (System.nanoTime() - started) / 1e9;
	}

	/** The request body of a batch line: what the runner sends for it. */
	private static byte[] body(byte[] line) {
		String text = new String(line, StandardCharsets.UTF_8);
		int start = text.indexOf("\"body\":") + "\"body\":".length();
		return text.substring(start, text.lastIndexOf('}')).getBytes(StandardCharsets.UTF_8);
	}

	/** Runs a batch of identical lines to its end; times the create and the run. */
	private static Result run(FerryProcess ferry, String provider, int lines) throws Exception {
		OpenAIClient client = OpenAiClients.ferry(ferry.port(), provider);
		List<String> texts = new ArrayList<>(lines);
		for (int i = 0; i < lines; i++) {
			texts.add("a question of a few words");
		}
		byte[] input = OpenAiBatches.chatLines("llama", texts);
		long started = System.nanoTime();
		String id = OpenAiBatches.create(client, input);
		long created = System.nanoTime();
		Batch batch;
		do {
			Thread.sleep(10);
			batch = client.batches().retrieve(id);
		}
		while (!batch.status().equals(Batch.Status.COMPLETED) && !batch.status().equals(Batch.Status.FAILED));
		long ended = System.nanoTime();
		assertThat(batch.status()).isEqualTo(Batch.Status.COMPLETED);
		assertThat(batch.requestCounts().get().completed()).isEqualTo(lines);
		return new Result((created - started) / 1e9, (ended - created) / 1e9);
	}

	private record Result(double createSeconds, double runSeconds) {
	}

}
