package dev.ferry.support;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Ferry as a process of its own, from the packaged jar, for benchmarks that must not
 * share the test JVM (its heap, its JIT, BlockHound) with the gateway they measure.
 */
public final class FerryProcess implements AutoCloseable {

	private final Process process;

	private final int port;

	private FerryProcess(Process process, int port) {
		this.process = process;
		this.port = port;
	}

	/**
	 * Starts Ferry on a free port and waits until it answers.
	 * @param work where its storage and log go
	 * @param jvmOptions options for its JVM, such as {@code -Xmx256m}
	 * @param arguments its own arguments; the gateway key, port and storage are added
	 * @return the running process
	 * @throws Exception when it cannot start within a minute
	 */
	public static FerryProcess start(Path work, List<String> jvmOptions, String... arguments) throws Exception {
		Path jar = Path.of("target", "ferry.jar");
		assertThat(jar).as("build the jar first: mvn -DskipTests package").exists();
		int port = freePort();
		List<String> command = new ArrayList<>();
		// -Dferry.process.java=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java runs it on
		// another
		// JDK
		command.add(System.getProperty("ferry.process.java",
				Path.of(System.getProperty("java.home"), "bin", "java").toString()));
		command.addAll(jvmOptions);
		command.addAll(List.of("-jar", jar.toString(), "--server.port=" + port,
				"--ferry.storage.path=" + work.resolve("storage"), "--logging.level.root=WARN"));
		command.addAll(List.of(arguments));
		Process process = new ProcessBuilder(GatewayKey.arguments(command.toArray(String[]::new)))
			.redirectErrorStream(true)
			.redirectOutput(work.resolve("ferry.log").toFile())
			.start();
		FerryProcess ferry = new FerryProcess(process, port);
		ferry.awaitUp();
		return ferry;
	}

	/**
	 * Where it listens.
	 * @return {@code http://127.0.0.1:<port>}
	 */
	public String base() {
		return "http://127.0.0.1:" + this.port;
	}

	public int port() {
		return this.port;
	}

	public boolean isAlive() {
		return this.process.isAlive();
	}

	@Override
	public void close() throws InterruptedException {
		this.process.destroy();
		this.process.waitFor();
	}

	private void awaitUp() throws InterruptedException {
		HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
		for (int i = 0; i < 600; i++) {
			try {
				http.send(HttpRequest.newBuilder(URI.create(base() + "/v1/providers")).build(),
						HttpResponse.BodyHandlers.discarding());
				return;
			}
			catch (IOException ex) {
				Thread.sleep(100);
			}
		}
		this.process.destroy();
		throw new IllegalStateException("Ferry did not start within a minute");
	}

	private static int freePort() throws IOException {
		try (ServerSocket socket = new ServerSocket(0)) {
			return socket.getLocalPort();
		}
	}

}
