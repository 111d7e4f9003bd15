package dev.ferry.bench.load;

import java.nio.charset.StandardCharsets;

import io.netty.buffer.Unpooled;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.NettyOutbound;
import reactor.netty.http.server.HttpServer;
import reactor.netty.http.server.HttpServerResponse;

import dev.ferry.bench.BenchLines;

/**
 * An OpenAI batch upstream that answers at once from prepared bytes, so that a load test
 * measures the gateway, not the upstream. Run in its own process:
 * {@code UpstreamStub <port>}.
 *
 * <p>
 * {@code GET /v1/batches/{id}} and {@code POST /v1/batches/{id}/cancel} answer a batch
 * with that id ({@code completed}, with an output file, when the id starts with
 * {@code batch_done}); {@code GET /v1/batches} a page of 20; {@code GET
 * /v1/files/{id}/content} 100 output lines.
 */
public final class UpstreamStub {

	static final int OUTPUT_LINES = 100;

	private UpstreamStub() {
	}

	public static void main(String[] args) {
		int port = Integer.parseInt(args[0]);
		byte[] list = list();
		byte[] output = output();
		DisposableServer server = HttpServer.create()
			.host("127.0.0.1")
			.port(port)
			.route((routes) -> routes
				.get("/v1/batches/{id}", (request, response) -> json(response, batch(request.param("id"), false)))
				.post("/v1/batches/{id}/cancel",
						(request, response) -> request.receive()
							.then()
							.then(json(response, batch(request.param("id"), true)).then()))
				.get("/v1/batches", (request, response) -> json(response, list))
				.get("/v1/files/{id}/content",
						(request, response) -> response.header("Content-Type", "application/jsonl")
							.header("Content-Length", Integer.toString(output.length))
							.send(Mono.just(Unpooled.wrappedBuffer(output)))))
			.bindNow();
		System.out.println("upstream stub on 127.0.0.1:" + port);
		server.onDispose().block();
	}

	private static NettyOutbound json(HttpServerResponse response, byte[] body) {
		return response.header("Content-Type", "application/json")
			.header("Content-Length", Integer.toString(body.length))
			.send(Mono.just(Unpooled.wrappedBuffer(body)));
	}

	static byte[] batch(String id, boolean cancelling) {
		boolean done = id.startsWith("batch_done");
		String status = cancelling ? "cancelling" : (done ? "completed" : "in_progress");
		return ("{\"id\":\"" + id + "\",\"object\":\"batch\",\"endpoint\":\"/v1/chat/completions\",\"errors\":null,"
				+ "\"input_file_id\":\"file-in\",\"completion_window\":\"24h\",\"status\":\"" + status + "\","
				+ "\"output_file_id\":" + (done ? "\"file-out-" + id + "\"" : "null") + ",\"error_file_id\":null,"
				+ "\"created_at\":1763800000,\"in_progress_at\":1763800010,\"expires_at\":1763886400,"
				+ "\"finalizing_at\":null,\"completed_at\":" + (done ? "1763803600" : "null") + ",\"failed_at\":null,"
				+ "\"expired_at\":null,\"cancelling_at\":null,\"cancelled_at\":null," + "\"request_counts\":{\"total\":"
				+ OUTPUT_LINES + ",\"completed\":" + (done ? OUTPUT_LINES : 40)
				+ ",\"failed\":0},\"metadata\":{\"team\":\"bench\"}}")
			.getBytes(StandardCharsets.UTF_8);
	}

	private static byte[] list() {
		StringBuilder page = new StringBuilder("{\"object\":\"list\",\"data\":[");
		for (int i = 0; i < 20; i++) {
			page.append((i > 0) ? "," : "").append(new String(batch("batch_" + i, false), StandardCharsets.UTF_8));
		}
		return page.append("],\"first_id\":\"batch_0\",\"last_id\":\"batch_19\",\"has_more\":true}")
			.toString()
			.getBytes(StandardCharsets.UTF_8);
	}

	static byte[] output() {
		StringBuilder out = new StringBuilder();
		for (int i = 0; i < OUTPUT_LINES; i++) {
			out.append(BenchLines.openAiOutput(i)).append('\n');
		}
		return out.toString().getBytes(StandardCharsets.UTF_8);
	}

}
