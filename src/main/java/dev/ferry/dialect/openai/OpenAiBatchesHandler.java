package dev.ferry.dialect.openai;

import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import dev.ferry.batch.Batch;
import dev.ferry.batch.BatchProvider;
import dev.ferry.batch.BatchService;
import dev.ferry.batch.CreateBatchBody;
import dev.ferry.batch.ModelRef;
import dev.ferry.batch.ProviderResolver;
import dev.ferry.dialect.BatchApiRoutes;
import dev.ferry.dialect.JsonBodies;
import dev.ferry.dialect.JsonResponses;
import dev.ferry.dialect.PageQueries;

import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;

/**
 * {@code /openai/v1/batches}: OpenAI's Batch API, on any provider.
 */
@Component
class OpenAiBatchesHandler implements BatchApiRoutes.Batches {

	private final BatchService service;

	private final ProviderResolver resolver;

	private final JsonMapper mapper;

	OpenAiBatchesHandler(BatchService service, ProviderResolver resolver, JsonMapper mapper) {
		this.service = service;
		this.resolver = resolver;
		this.mapper = mapper;
	}

	@Override
	public Mono<ServerResponse> create(ServerRequest request) {
		return JsonBodies.read(request, this.mapper).flatMap((json) -> {
			CreateBatchBody body = CreateBatchBody.parse(json, null);
			ModelRef model = ModelRef.parse(body.model(), this.resolver.registry().names());
			BatchProvider provider = this.resolver.resolve(request, body.provider(), body.providerHint(model),
					defaultProvider());
			return this.service.create(provider, body, model)
				.flatMap((batch) -> JsonResponses.ok(render(provider, batch)));
		});
	}

	@Override
	public Mono<ServerResponse> retrieve(ServerRequest request) {
		BatchProvider provider = this.resolver.resolve(request, defaultProvider());
		return this.service.retrieve(provider, request.pathVariable("batch_id"))
			.flatMap((batch) -> JsonResponses.ok(render(provider, batch)));
	}

	@Override
	public Mono<ServerResponse> list(ServerRequest request) {
		BatchProvider provider = this.resolver.resolve(request, defaultProvider());
		return this.service.list(provider, PageQueries.batches(request))
			.flatMap((page) -> JsonResponses.ok((OpenAiObjects.sameFormat(provider) && page.rawResponse() != null)
					? page.rawResponse() : OpenAiObjects.batchPageToWire(page)));
	}

	@Override
	public Mono<ServerResponse> cancel(ServerRequest request) {
		BatchProvider provider = this.resolver.resolve(request, defaultProvider());
		return this.service.cancel(provider, request.pathVariable("batch_id"))
			.flatMap((batch) -> JsonResponses.ok(render(provider, batch)));
	}

	private String defaultProvider() {
		return this.resolver.registry().defaultProvider();
	}

	/**
	 * Same-format traffic passes the upstream's object through untouched: as the bytes a
	 * status cache keeps, written as they are, or as the tree just read.
	 */
	private static Object render(BatchProvider provider, Batch batch) {
		if (OpenAiObjects.sameFormat(provider)) {
			if (batch.rawResponseBytes() != null) {
				return batch.rawResponseBytes();
			}
			if (batch.rawResponse() != null) {
				return batch.rawResponse();
			}
		}
		return OpenAiObjects.batchToWire(batch);
	}

}
