package dev.ferry.dialect.unified;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.util.RawValue;

import dev.ferry.batch.ApiError;
import dev.ferry.batch.BatchProvider;
import dev.ferry.batch.BatchResults;
import dev.ferry.batch.BatchService;
import dev.ferry.batch.ProviderResolver;
import dev.ferry.config.FerryProperties;
import dev.ferry.dialect.JsonResponses;
import dev.ferry.dialect.RequestParams;
import dev.ferry.results.JsonLine;
import dev.ferry.results.JsonLines;
import dev.ferry.results.LineTooLongException;
import dev.ferry.results.Pages;
import dev.ferry.results.RawJson;
import dev.ferry.results.ResultCursors.Cursor;
import dev.ferry.results.ResultCursors;
import dev.ferry.results.ResultItems;
import dev.ferry.results.ResultSpools;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;

/**
 * {@code GET /v1/batches/{batch_id}/results}: a batch's results in pages, or all of them
 * as NDJSON, read from the result spool so that a traversal downloads them once.
 */
@Component
class UnifiedResultsHandler {

	static final int DEFAULT_LIMIT = 100;

	static final int MAX_LIMIT = 1000;

	private final BatchService service;

	private final ProviderResolver resolver;

	private final ResultCursors cursors;

	private final ResultSpools spools;

	private final ResultItems items;

	private final int maxLineBytes;

	private final MeterRegistry meters;

	private final JsonMapper mapper;

	UnifiedResultsHandler(BatchService service, ProviderResolver resolver, ResultCursors cursors, ResultSpools spools,
			JsonMapper mapper, FerryProperties properties, MeterRegistry meters) {
		this.service = service;
		this.resolver = resolver;
		this.cursors = cursors;
		this.spools = spools;
		this.items = new ResultItems(mapper);
		this.maxLineBytes = (int) properties.files().maxLineSize().toBytes();
		this.meters = meters;
		this.mapper = mapper;
	}

	Mono<ServerResponse> results(ServerRequest request) {
		BatchProvider provider = this.resolver.resolve(request, null);
		String batchId = request.pathVariable("batch_id");
		int limit = RequestParams.boundedInt(request, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT);
		Cursor start = request.queryParam("cursor")
			.map((text) -> this.cursors.decode(text, provider.name(), batchId))
			.orElseGet(() -> new Cursor(provider.name(), batchId, 0, 0));
		boolean stream = request.headers().accept().contains(MediaType.APPLICATION_NDJSON);
		return Timed.of(this.service.results(provider, batchId)).flatMap((timed) -> {
			ExtraFields extra = new ExtraFields("batch_results", provider.name(), null, timed.latency());
			Flux<Item> items = items(provider, start, timed.value());
			Served served = served(provider);
			if (stream) {
				long[] previousEnd = { start.offset() };
				Flux<Item> counted = items.doOnNext((item) -> {
					served.count(1, item.line().end() - previousEnd[0]);
					previousEnd[0] = item.line().end();
				});
				return ServerResponse.ok()
					.contentType(MediaType.APPLICATION_NDJSON)
					.body(counted.map((item) -> JsonLines.line(item.json())), DataBuffer.class);
			}
			return Pages.of(items, limit).flatMap((page) -> {
				Item last = page.last();
				served.count(page.items().size(), (last != null) ? last.line().end() - start.offset() : 0);
				String next = (page.hasMore() && last != null) ? this.cursors.encode(
						new Cursor(provider.name(), batchId, start.items() + page.items().size(), last.line().end()))
						: null;
				return JsonResponses.okLarge(this.mapper,
						new UnifiedResultsPage(batchId,
								page.items().stream().map((item) -> new RawValue(item.json())).toList(), page.hasMore(),
								next, extra));
			});
		});
	}

	/** The items from a position on, read from the batch's spool. */
	private Flux<Item> items(BatchProvider provider, Cursor start, BatchResults results) {
		String spool = provider.name() + "\n" + start.batchId();
		Flux<DataBuffer> bytes = this.spools.read(spool, start.offset(), results.download());
		return JsonLines.frame(bytes, this.maxLineBytes, start.offset())
			.map((line) -> new Item(line, this.items.item(line, results.customIds())))
			.onErrorMap((error) -> !(error instanceof ApiError), (error) -> brokenOff(provider, start, error));
	}

	/** The counters of one provider's served results, looked up once per request. */
	private Served served(BatchProvider provider) {
		return new Served(this.meters.counter("ferry.results.items", "provider", provider.name()),
				this.meters.counter("ferry.results.bytes", "provider", provider.name()));
	}

	private static ApiError brokenOff(BatchProvider provider, Cursor start, Throwable error) {
		if (error instanceof LineTooLongException tooLong) {
			return new ApiError(
					502, "api_error", "result_line_too_long", "the results of batch " + start.batchId() + " hold "
							+ tooLong.getMessage() + "; raise ferry.files.max-line-size to read them",
					null, provider.name());
		}
		return new ApiError(502, "api_error", "results_download_failed",
				"the download of batch " + start.batchId() + "'s results from provider '" + provider.name()
						+ "' broke off (" + error.getMessage() + "); ask again to resume from the same cursor",
				null, provider.name());
	}

	/** Counts the items served and the bytes of their result lines. */
	private record Served(Counter items, Counter bytes) {

		void count(int served, long lineBytes) {
			this.items.increment(served);
			this.bytes.increment(lineBytes);
		}

	}

	/**
	 * A results item and the line it came from, whose end is where the next one starts.
	 */
	private record Item(JsonLine line, RawJson json) {
	}

}
