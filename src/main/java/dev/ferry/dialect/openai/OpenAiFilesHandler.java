package dev.ferry.dialect.openai;

import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

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
 * {@code /openai/v1/files}: OpenAI's Files API, on any provider.
 */
@Component
class OpenAiFilesHandler implements BatchApiRoutes.Files {

	private final BatchService service;

	private final ProviderResolver resolver;

	OpenAiFilesHandler(BatchService service, ProviderResolver resolver) {
		this.service = service;
		this.resolver = resolver;
	}

	@Override
	public Mono<ServerResponse> upload(ServerRequest request) {
		return LeadingFormFields.peek(request.bodyToFlux(PartEvent.class), (form) -> {
			BatchProvider provider = this.resolver.resolve(request, form.leadingFields().get("provider"), null,
					defaultProvider());
			return this.service.upload(provider, form).flatMap((file) -> JsonResponses.ok(render(provider, file)));
		});
	}

	@Override
	public Mono<ServerResponse> list(ServerRequest request) {
		BatchProvider provider = this.resolver.resolve(request, defaultProvider());
		return this.service.listFiles(provider, PageQueries.files(request))
			.flatMap((page) -> JsonResponses.ok((OpenAiObjects.sameFormat(provider) && page.rawResponse() != null)
					? page.rawResponse() : OpenAiObjects.filePageToWire(page)));
	}

	@Override
	public Mono<ServerResponse> retrieve(ServerRequest request) {
		BatchProvider provider = this.resolver.resolve(request, defaultProvider());
		return this.service.retrieveFile(provider, request.pathVariable("file_id"))
			.flatMap((file) -> JsonResponses.ok(render(provider, file)));
	}

	@Override
	public Mono<ServerResponse> delete(ServerRequest request) {
		BatchProvider provider = this.resolver.resolve(request, defaultProvider());
		return this.service.deleteFile(provider, request.pathVariable("file_id")).flatMap((deleted) -> {
			if (OpenAiObjects.sameFormat(provider) && deleted.rawResponse() != null) {
				return JsonResponses.ok(deleted.rawResponse());
			}
			ObjectNode body = JsonNodeFactory.instance.objectNode();
			body.put("id", deleted.id());
			body.put("object", "file");
			body.put("deleted", deleted.deleted());
			return JsonResponses.ok(body);
		});
	}

	@Override
	public Mono<ServerResponse> content(ServerRequest request) {
		BatchProvider provider = this.resolver.resolve(request, defaultProvider());
		return this.service.fileContent(provider, request.pathVariable("file_id")).flatMap(FileDownloads::respond);
	}

	private String defaultProvider() {
		return this.resolver.registry().defaultProvider();
	}

	private static JsonNode render(BatchProvider provider, FileObject file) {
		if (OpenAiObjects.sameFormat(provider) && file.rawResponse() != null) {
			return file.rawResponse();
		}
		return OpenAiObjects.fileToWire(file);
	}

}
