package dev.ferry.dialect.unified;

import reactor.core.publisher.Mono;

import dev.ferry.batch.BatchProvider;
import dev.ferry.batch.BatchService;
import dev.ferry.batch.FileObject;
import dev.ferry.batch.ProviderResolver;
import dev.ferry.dialect.BatchApiRoutes;
import dev.ferry.dialect.FileDownloads;
import dev.ferry.dialect.JsonResponses;
import dev.ferry.dialect.LeadingFormFields;
import dev.ferry.dialect.PageQueries;

import org.springframework.http.codec.multipart.PartEvent;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;

/**
 * {@code /v1/files}: files on any provider, in the unified shape.
 */
@Component
class UnifiedFilesHandler implements BatchApiRoutes.Files {

	private final BatchService service;

	private final ProviderResolver resolver;

	UnifiedFilesHandler(BatchService service, ProviderResolver resolver) {
		this.service = service;
		this.resolver = resolver;
	}

	@Override
	public Mono<ServerResponse> upload(ServerRequest request) {
		return LeadingFormFields.peek(request.bodyToFlux(PartEvent.class), (form) -> {
			BatchProvider provider = this.resolver.resolve(request, form.leadingFields().get("provider"), null, null);
			return respond(request, "file_upload", provider, this.service.upload(provider, form));
		});
	}

	@Override
	public Mono<ServerResponse> list(ServerRequest request) {
		BatchProvider provider = this.resolver.resolve(request, null);
		boolean raw = UnifiedBatchesHandler.includeRaw(request);
		return Timed.of(this.service.listFiles(provider, PageQueries.files(request))).flatMap((timed) -> {
			ExtraFields extra = new ExtraFields("file_list", provider.name(), null, timed.latency());
			var page = timed.value();
			return JsonResponses.ok(new UnifiedList<>("list",
					page.data().stream().map((file) -> UnifiedFile.of(file, extra, false)).toList(), page.firstId(),
					page.lastId(), page.hasMore(), extra, raw ? page.rawResponse() : null));
		});
	}

	@Override
	public Mono<ServerResponse> retrieve(ServerRequest request) {
		BatchProvider provider = this.resolver.resolve(request, null);
		return respond(request, "file_retrieve", provider,
				this.service.retrieveFile(provider, request.pathVariable("file_id")));
	}

	@Override
	public Mono<ServerResponse> delete(ServerRequest request) {
		BatchProvider provider = this.resolver.resolve(request, null);
		return Timed.of(this.service.deleteFile(provider, request.pathVariable("file_id")))
			.flatMap((timed) -> JsonResponses.ok(new UnifiedDeleted(timed.value().id(), "file", timed.value().deleted(),
					new ExtraFields("file_delete", provider.name(), null, timed.latency()))));
	}

	@Override
	public Mono<ServerResponse> content(ServerRequest request) {
		BatchProvider provider = this.resolver.resolve(request, null);
		return this.service.fileContent(provider, request.pathVariable("file_id")).flatMap(FileDownloads::respond);
	}

	private Mono<ServerResponse> respond(ServerRequest request, String requestType, BatchProvider provider,
			Mono<FileObject> call) {
		boolean raw = UnifiedBatchesHandler.includeRaw(request);
		return Timed.of(call)
			.flatMap((timed) -> JsonResponses.ok(UnifiedFile.of(timed.value(),
					new ExtraFields(requestType, provider.name(), null, timed.latency()), raw)));
	}

}
