package dev.ferry.warmup;

import java.nio.charset.StandardCharsets;

import io.netty.buffer.Unpooled;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.NettyOutbound;
import reactor.netty.http.server.HttpServer;
import reactor.netty.http.server.HttpServerResponse;

/**
 * A loopback OpenAI batch API the warm-up calls instead of a real provider, which it must
 * never reach: {@code GET /v1/batches/{id}} answers a completed batch with that id and
 * {@code GET /v1/batches} a page of twenty.
 */
final class WarmUpUpstream implements AutoCloseable {

	private final DisposableServer server;

	WarmUpUpstream() {
		byte[] page = page();
		this.server = HttpServer.create()
			.host("127.0.0.1")
			.port(0)
			.route((routes) -> routes
				.get("/v1/batches/{id}", (request, response) -> json(response, batch(request.param("id"))))
				.get("/v1/batches", (request, response) -> json(response, page)))
			.bindNow();
	}

	/** The base URL to configure a provider of the {@code openai} family with. */
	String baseUrl() {
		return "http://127.0.0.1:" + this.server.port() + "/v1";
	}

	@Override
	public void close() {
		this.server.disposeNow();
	}

	private static NettyOutbound json(HttpServerResponse response, byte[] body) {
		return response.header("Content-Type", "application/json").send(Mono.just(Unpooled.wrappedBuffer(body)));
	}

	private static byte[] batch(String id) {
		return batchJson(id).getBytes(StandardCharsets.UTF_8);
	}

	private static String batchJson(String id) {
		return "{\"id\":\"" + id + "\",\"object\":\"batch\",\"endpoint\":\"/v1/chat/completions\",\"errors\":null,"
				+ "\"input_file_id\":\"file-warm-up\",\"completion_window\":\"24h\",\"status\":\"completed\","
				+ "\"output_file_id\":\"file-warm-up-out\",\"error_file_id\":null,\"created_at\":1763800000,"
				+ "\"in_progress_at\":1763800010,\"expires_at\":1763886400,\"finalizing_at\":1763803500,"
				+ "\"completed_at\":1763803600,\"failed_at\":null,\"expired_at\":null,\"cancelling_at\":null,"
				+ "\"cancelled_at\":null,\"request_counts\":{\"total\":100,\"completed\":100,\"failed\":0},"
				+ "\"metadata\":{\"purpose\":\"warm-up\"}}";
	}

	private static byte[] page() {
		StringBuilder page = new StringBuilder("{\"object\":\"list\",\"data\":[");
		for (int i = 0; i < 20; i++) {
			page.append((i > 0) ? "," : "").append(batchJson("batch_warm_up_" + i));
		}
		return page.append("],\"first_id\":\"batch_warm_up_0\",\"last_id\":\"batch_warm_up_19\",\"has_more\":true}")
			.toString()
			.getBytes(StandardCharsets.UTF_8);
	}

}
