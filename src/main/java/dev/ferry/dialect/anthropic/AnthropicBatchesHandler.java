package dev.ferry.dialect.anthropic;

import java.util.function.Function;
import java.util.regex.Pattern;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import dev.ferry.batch.ApiError;
import dev.ferry.batch.BatchProvider;
import dev.ferry.batch.BatchService;
import dev.ferry.batch.FerryIds;
import dev.ferry.batch.IdPages;
import dev.ferry.batch.ModelRef;
import dev.ferry.batch.PageQuery;
import dev.ferry.batch.ProviderResolver;
import dev.ferry.dialect.FerryUrls;
import dev.ferry.dialect.JsonBodies;
import dev.ferry.dialect.JsonResponses;
import dev.ferry.dialect.PageQueries;
import dev.ferry.dialect.RequestParams;
import dev.ferry.provider.anthropic.AnthropicProvider;
import dev.ferry.tenancy.Ownership;
import dev.ferry.tenancy.Ownership.Kind;
import dev.ferry.usage.UsageRecorder;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.BodyInserters;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;

/**
 * {@code /anthropic/v1/messages/batches}: Anthropic's Message Batches API,
 * byte-compatible so the official SDKs work with only a base-URL change. Anthropic-format
 * traffic passes through untouched, except {@code results_url}, which points at Ferry.
 */
@Component
class AnthropicBatchesHandler {

	private static final MediaType JSONL = MediaType.parseMediaType("application/x-jsonl");

	/** The most requests Anthropic's Message Batches API takes in one create. */
	static final int MAX_REQUESTS = 100_000;

	private final ProviderResolver resolver;

	private final JsonMapper mapper;

	private final CrossFormatBatches crossFormat;

	/**
	 * Confines team keys to their team's batches on the native path; the cross-format
	 * path goes through the batch service, which does the same.
	 */
	private final Ownership ownership;

	/**
	 * Records the usage of ended batches on the native path, as the batch service does.
	 */
	private final UsageRecorder usage;

	/**
	 * Applies the caller's quotas to creates on the native path, records them as the
	 * team's and watches them, as for every other create.
	 */
	private final BatchService service;

	AnthropicBatchesHandler(ProviderResolver resolver, JsonMapper mapper, CrossFormatBatches crossFormat,
			Ownership ownership, UsageRecorder usage, BatchService service) {
		this.usage = usage;
		this.service = service;
		this.resolver = resolver;
		this.mapper = mapper;
		this.crossFormat = crossFormat;
		this.ownership = ownership;
	}

	Mono<ServerResponse> create(ServerRequest request) {
		return JsonBodies.read(request, this.mapper).flatMap((json) -> {
			JsonNode requests = json.path("requests");
			if (!json.isObject() || !requests.isArray() || requests.isEmpty()) {
				throw ApiError.invalid("requests",
						"requests: missing or empty (expected: an array of {custom_id, params})");
			}
			if (requests.size() > MAX_REQUESTS) {
				throw ApiError.invalid("requests",
						"requests: " + requests.size() + " (expected: at most " + MAX_REQUESTS + ")");
			}
			String prefix = modelPrefix(requests);
			BatchProvider provider = this.resolver.resolve(request, null, prefix, defaultProvider());
			ObjectNode body = (ObjectNode) json.deepCopy();
			if (prefix != null) {
				stripModelPrefix(body, prefix);
			}
			if (provider instanceof AnthropicProvider anthropic) {
				long count = requests.size();
				return this.service
					.withinQuotas(anthropic, () -> Mono.just(count), () -> anthropic.client().create(body),
							(batch) -> text(batch, "id"))
					.flatMap((batch) -> JsonResponses.ok(withFerryResultsUrl(batch, request)));
			}
			return this.crossFormat.create(provider, body.path("requests"), resultsUrl(request))
				.flatMap(JsonResponses::ok);
		});
	}

	Mono<ServerResponse> retrieve(ServerRequest request) {
		BatchRef batch = batchRef(request);
		if (batch.provider() instanceof AnthropicProvider anthropic) {
			return owned(batch).then(anthropic.client().retrieve(batch.nativeId())).flatMap((node) -> {
				if ("ended".equals(text(node, "processing_status"))
						&& !this.usage.settled(anthropic.name(), batch.nativeId())) {
					// Usage is recorded from the batch in Ferry's shape, made of this
					// answer.
					return anthropic.present(node)
						.doOnNext((ended) -> this.usage.ended(anthropic, batch.nativeId(), ended))
						.then(JsonResponses.ok(withFerryResultsUrl(node, request)));
				}
				return JsonResponses.ok(withFerryResultsUrl(node, request));
			});
		}
		return this.crossFormat.retrieve(batch.provider(), batch.nativeId(), resultsUrl(request))
			.flatMap(JsonResponses::ok);
	}

	Mono<ServerResponse> list(ServerRequest request) {
		BatchProvider provider = this.resolver.resolve(request, defaultProvider());
		int limit = RequestParams.boundedInt(request, "limit", 20, 1, 1000);
		String afterId = pageId(request, provider, "after_id");
		String beforeId = pageId(request, provider, "before_id");
		if (provider instanceof AnthropicProvider anthropic) {
			return this.ownership.owned(Kind.BATCH, provider.name())
				.flatMap((owned) -> owned.isPresent() ? ownedPage(anthropic, owned.get(), limit, afterId, beforeId)
						: anthropic.client().list(limit, afterId, beforeId))
				.flatMap((page) -> {
					page.path("data").forEach((batch) -> withFerryResultsUrl(batch, request));
					return JsonResponses.ok(page);
				});
		}
		if (beforeId != null) {
			throw ApiError.invalid("before_id",
					"before_id: provider '" + provider.name() + "' pages forwards only (use after_id)");
		}
		return this.crossFormat.list(provider, limit, afterId, resultsUrl(request)).flatMap(JsonResponses::ok);
	}

	Mono<ServerResponse> cancel(ServerRequest request) {
		BatchRef batch = batchRef(request);
		if (batch.provider() instanceof AnthropicProvider anthropic) {
			return owned(batch).then(anthropic.client().cancel(batch.nativeId()))
				.flatMap((node) -> JsonResponses.ok(withFerryResultsUrl(node, request)));
		}
		return this.crossFormat.cancel(batch.provider(), batch.nativeId(), resultsUrl(request))
			.flatMap(JsonResponses::ok);
	}

	Mono<ServerResponse> delete(ServerRequest request) {
		BatchRef batch = batchRef(request);
		if (batch.provider() instanceof AnthropicProvider anthropic) {
			return owned(batch).then(anthropic.deleteBatch(batch.nativeId()))
				.flatMap((deleted) -> this.ownership.release(Kind.BATCH, anthropic.name(), batch.nativeId())
					.thenReturn(deleted))
				.flatMap((deleted) -> JsonResponses.ok(deleted.rawResponse()));
		}
		return this.crossFormat.delete(batch.provider(), batch.nativeId(), batch.id()).flatMap(JsonResponses::ok);
	}

	/**
	 * Streams the results from the batch's own {@code results_url}, never a guessed path.
	 */
	Mono<ServerResponse> results(ServerRequest request) {
		BatchRef batch = batchRef(request);
		if (!(batch.provider() instanceof AnthropicProvider provider)) {
			return this.crossFormat.results(batch.provider(), batch.nativeId())
				.flatMap((lines) -> jsonl(batch.id(), lines));
		}
		return owned(batch).then(provider.client().retrieve(batch.nativeId())).flatMap((node) -> {
			String resultsUrl = text(node, "results_url");
			if (resultsUrl == null) {
				return Mono.error(
						new ApiError(409, "invalid_request_error", "batch_not_ended",
								"message batch " + batch.id() + " is '" + text(node, "processing_status")
										+ "': results are available once its processing has ended",
								null, provider.name()));
			}
			return provider.client().openResults(resultsUrl).flatMap((lines) -> jsonl(batch.id(), lines));
		});
	}

	/** Lets a caller confined to a team reach only its team's batch. */
	private Mono<Void> owned(BatchRef batch) {
		return this.ownership.check(Kind.BATCH, batch.provider().name(), batch.nativeId(), batch.id());
	}

	/**
	 * A page of a team's own message batches, in Anthropic's list shape, read one by one
	 * from the team's index, newest first.
	 */
	private Mono<JsonNode> ownedPage(AnthropicProvider anthropic, Flux<String> owned, int limit,
			@Nullable String afterId, @Nullable String beforeId) {
		if (beforeId != null) {
			return Mono
				.error(ApiError.invalid("before_id", "before_id: a team's batches page forwards only (use after_id)"));
		}
		return IdPages.page(owned, new PageQuery(limit, afterId, null, null), anthropic.client()::retrieve)
			.map((found) -> {
				ObjectNode page = this.mapper.createObjectNode();
				page.putArray("data").addAll(found.data());
				page.put("has_more", found.hasMore());
				page.put("first_id", found.firstId((batch) -> text(batch, "id")));
				page.put("last_id", found.lastId((batch) -> text(batch, "id")));
				return (JsonNode) page;
			});
	}

	/** {@code anthropic} when it has a key, else the sandbox. */
	private String defaultProvider() {
		return this.resolver.registry().dialectDefault("anthropic");
	}

	private static Mono<ServerResponse> jsonl(String id, Flux<DataBuffer> lines) {
		return ServerResponse.ok()
			.contentType(JSONL)
			.header(HttpHeaders.CONTENT_DISPOSITION, "attachment; filename=\"" + id + "_results.jsonl\"")
			.body(BodyInserters.fromDataBuffers(lines));
	}

	/**
	 * The batch a path names, by any id Ferry handed out in any dialect: the provider
	 * comes from the query, the header, the id itself or the default; the native id is
	 * the minted one's, or the id itself.
	 */
	private BatchRef batchRef(ServerRequest request) {
		String id = request.pathVariable("message_batch_id");
		BatchProvider provider = this.resolver.resolve(request, defaultProvider());
		return new BatchRef(provider, id, FerryIds.nativeId(provider, "message_batch_id", id));
	}

	private static @Nullable String pageId(ServerRequest request, BatchProvider provider, String param) {
		String id = RequestParams.optional(request, param, PageQueries.ANY_ID, "a message batch id");
		return (id != null) ? FerryIds.nativeId(provider, param, id) : null;
	}

	/** A batch as the caller named it, and where it lives. */
	private record BatchRef(BatchProvider provider, String id, String nativeId) {
	}

	private static Function<String, String> resultsUrl(ServerRequest request) {
		return FerryUrls.anthropicResults(request);
	}

	/**
	 * The provider named by a {@code provider/model} prefix of the first request's model.
	 */
	private @Nullable String modelPrefix(JsonNode requests) {
		JsonNode model = requests.get(0).path("params").path("model");
		return model.isString() ? ModelRef.parse(model.stringValue(), this.resolver.registry().names()).provider()
				: null;
	}

	private static void stripModelPrefix(ObjectNode body, String provider) {
		Pattern prefix = Pattern.compile("^" + Pattern.quote(provider) + "/");
		for (JsonNode item : body.path("requests")) {
			JsonNode params = item.path("params");
			if (params instanceof ObjectNode object && params.path("model").isString()) {
				object.put("model", prefix.matcher(params.path("model").stringValue()).replaceFirst(""));
			}
		}
	}

	/**
	 * Points a batch's {@code results_url} at this Ferry, as the caller reached it, so
	 * the SDK never bypasses the gateway.
	 */
	private static JsonNode withFerryResultsUrl(JsonNode batch, ServerRequest request) {
		if (batch instanceof ObjectNode object && text(batch, "results_url") != null) {
			object.put("results_url", resultsUrl(request).apply(text(batch, "id")));
		}
		return batch;
	}

	private static @Nullable String text(JsonNode node, String field) {
		JsonNode value = node.get(field);
		return (value == null || value.isNull()) ? null : value.asString();
	}

}
