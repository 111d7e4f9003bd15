package dev.ferry.dialect.unified;

import java.util.function.Function;

import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

import dev.ferry.batch.Batch;
import dev.ferry.batch.BatchProvider;
import dev.ferry.batch.BatchService;
import dev.ferry.batch.CreateBatchBody;
import dev.ferry.batch.ModelRef;
import dev.ferry.batch.ProviderResolver;
import dev.ferry.dialect.BatchApiRoutes;
import dev.ferry.dialect.FerryUrls;
import dev.ferry.dialect.JsonBodies;
import dev.ferry.dialect.JsonResponses;
import dev.ferry.dialect.PageQueries;

import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;

/**
 * {@code /v1/batches}: batches on any provider, in the unified shape.
 */
@Component
class UnifiedBatchesHandler implements BatchApiRoutes.Batches {

	/** Ask for the provider's raw request and response with this header set to true. */
	static final String INCLUDE_RAW_HEADER = "x-ferry-include-raw";

	private final BatchService service;

	private final ProviderResolver resolver;

	private final JsonMapper mapper;

	UnifiedBatchesHandler(BatchService service, ProviderResolver resolver, JsonMapper mapper) {
		this.service = service;
		this.resolver = resolver;
		this.mapper = mapper;
	}

	@Override
	public Mono<ServerResponse> create(ServerRequest request) {
		return JsonBodies.read(request, this.mapper).flatMap((json) -> {
			CreateBatchBody body = CreateBatchBody.parse(json, "24h");
			ModelRef model = ModelRef.parse(body.model(), this.resolver.registry().names());
			BatchProvider provider = this.resolver.resolve(request, body.provider(), body.providerHint(model), null);
			return respond(request, "batch_create", provider, body.model(), this.service.create(provider, body, model));
		});
	}

	@Override
	public Mono<ServerResponse> retrieve(ServerRequest request) {
		BatchProvider provider = this.resolver.resolve(request, null);
		return respond(request, "batch_retrieve", provider, null,
				this.service.retrieve(provider, request.pathVariable("batch_id")));
	}

	@Override
	public Mono<ServerResponse> cancel(ServerRequest request) {
		BatchProvider provider = this.resolver.resolve(request, null);
		return respond(request, "batch_cancel", provider, null,
				this.service.cancel(provider, request.pathVariable("batch_id")));
	}

	/**
	 * Deletes an ended batch: natively where the provider can (Anthropic), otherwise by
	 * deleting its files.
	 * @param request the request
	 * @return the deletion
	 */
	Mono<ServerResponse> delete(ServerRequest request) {
		BatchProvider provider = this.resolver.resolve(request, null);
		return Timed.of(this.service.deleteBatch(provider, request.pathVariable("batch_id")))
			.flatMap((timed) -> JsonResponses.ok(new UnifiedDeleted(timed.value().id(), "batch",
					timed.value().deleted(), new ExtraFields("batch_delete", provider.name(), null, timed.latency()))));
	}

	@Override
	public Mono<ServerResponse> list(ServerRequest request) {
		BatchProvider provider = this.resolver.resolve(request, null);
		boolean raw = includeRaw(request);
		Function<String, String> resultsUrls = FerryUrls.anthropicResults(request);
		return Timed.of(this.service.list(provider, PageQueries.batches(request))).flatMap((timed) -> {
			ExtraFields extra = new ExtraFields("batch_list", provider.name(), null, timed.latency());
			var page = timed.value();
			return JsonResponses.ok(new UnifiedList<>("list",
					page.data().stream().map((batch) -> UnifiedBatch.of(batch, extra, false, resultsUrls)).toList(),
					page.firstId(), page.lastId(), page.hasMore(), extra, raw ? page.rawResponse() : null));
		});
	}

	private Mono<ServerResponse> respond(ServerRequest request, String requestType, BatchProvider provider,
			String modelRequested, Mono<Batch> call) {
		boolean raw = includeRaw(request);
		Function<String, String> resultsUrls = FerryUrls.anthropicResults(request);
		Function<Timed<Batch>, UnifiedBatch> render = (timed) -> UnifiedBatch.of(timed.value(),
				new ExtraFields(requestType, provider.name(), modelRequested, timed.latency()), raw, resultsUrls);
		return Timed.of(call).map(render).flatMap(JsonResponses::ok);
	}

	static boolean includeRaw(ServerRequest request) {
		return "true".equalsIgnoreCase(request.headers().firstHeader(INCLUDE_RAW_HEADER));
	}

}
