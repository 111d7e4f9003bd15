package dev.ferry.anthropic;

import java.util.Locale;
import java.util.regex.Pattern;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import dev.ferry.batch.BatchProvider;
import dev.ferry.batch.ModelRef;
import dev.ferry.batch.ProviderResolver;
import dev.ferry.web.ApiError;
import dev.ferry.web.JsonBodies;
import dev.ferry.web.RequestParams;

import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.BodyInserters;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import org.springframework.web.util.UriComponentsBuilder;

/**
 * {@code /anthropic/v1/messages/batches}: Anthropic's Message Batches API,
 * byte-compatible so the official SDKs work with only a base-URL change. Anthropic-format
 * traffic passes through untouched, except {@code results_url}, which points at Ferry.
 */
@Component
class AnthropicBatchesHandler {

	private static final String DEFAULT_PROVIDER = "anthropic";

	private static final MediaType JSONL = MediaType.parseMediaType("application/x-jsonl");

	private final ProviderResolver resolver;

	private final JsonMapper mapper;

	AnthropicBatchesHandler(ProviderResolver resolver, JsonMapper mapper) {
		this.resolver = resolver;
		this.mapper = mapper;
	}

	Mono<ServerResponse> create(ServerRequest request) {
		return JsonBodies.read(request, this.mapper).flatMap((json) -> {
			JsonNode requests = json.path("requests");
			if (!json.isObject() || !requests.isArray() || requests.isEmpty()) {
				throw ApiError.invalid("requests",
						"requests: missing or empty (expected: an array of {custom_id, params})");
			}
			if (requests.size() > AnthropicProvider.MAX_REQUESTS) {
				throw ApiError.invalid("requests",
						"requests: " + requests.size() + " (expected: at most " + AnthropicProvider.MAX_REQUESTS + ")");
			}
			String prefix = modelPrefix(requests);
			AnthropicProvider provider = sameFormat(this.resolver.resolve(request, null, prefix, DEFAULT_PROVIDER));
			ObjectNode body = (ObjectNode) json.deepCopy();
			if (prefix != null) {
				stripModelPrefix(body, prefix);
			}
			return provider.createNative(body).flatMap((batch) -> ok(withFerryResultsUrl(batch, request)));
		});
	}

	Mono<ServerResponse> retrieve(ServerRequest request) {
		AnthropicProvider provider = provider(request);
		return provider.retrieveNative(batchId(request, provider))
			.flatMap((batch) -> ok(withFerryResultsUrl(batch, request)));
	}

	Mono<ServerResponse> list(ServerRequest request) {
		AnthropicProvider provider = provider(request);
		int limit = RequestParams.boundedInt(request, "limit", 20, 1, 1000);
		String afterId = RequestParams.optional(request, "after_id", provider.idPattern(), "a message batch id");
		String beforeId = RequestParams.optional(request, "before_id", provider.idPattern(), "a message batch id");
		return provider.listNative(limit, afterId, beforeId).flatMap((page) -> {
			page.path("data").forEach((batch) -> withFerryResultsUrl(batch, request));
			return ok(page);
		});
	}

	Mono<ServerResponse> cancel(ServerRequest request) {
		AnthropicProvider provider = provider(request);
		return provider.cancelNative(batchId(request, provider))
			.flatMap((batch) -> ok(withFerryResultsUrl(batch, request)));
	}

	Mono<ServerResponse> delete(ServerRequest request) {
		AnthropicProvider provider = provider(request);
		return provider.deleteNative(batchId(request, provider)).flatMap(AnthropicBatchesHandler::ok);
	}

	/**
	 * Streams the results from the batch's own {@code results_url}, never a guessed path.
	 */
	Mono<ServerResponse> results(ServerRequest request) {
		AnthropicProvider provider = provider(request);
		String id = batchId(request, provider);
		return provider.retrieveNative(id).flatMap((batch) -> {
			String resultsUrl = AnthropicWire.text(batch, "results_url");
			if (resultsUrl == null) {
				return Mono.error(
						new ApiError(409, "invalid_request_error", "batch_not_ended",
								"message batch " + id + " is '" + AnthropicWire.text(batch, "processing_status")
										+ "': results are available once its processing has ended",
								null, provider.name()));
			}
			return ServerResponse.ok()
				.contentType(JSONL)
				.header(HttpHeaders.CONTENT_DISPOSITION, "attachment; filename=\"" + id + "_results.jsonl\"")
				.body(BodyInserters.fromDataBuffers(provider.results(resultsUrl)));
		});
	}

	private AnthropicProvider provider(ServerRequest request) {
		return sameFormat(this.resolver.resolve(request, DEFAULT_PROVIDER));
	}

	private static AnthropicProvider sameFormat(BatchProvider provider) {
		if (provider instanceof AnthropicProvider anthropic) {
			return anthropic;
		}
		throw ApiError.invalid("provider", "provider '" + provider.name() + "' (type "
				+ provider.type().name().toLowerCase(Locale.ROOT) + ") through the Anthropic API needs "
				+ "request and result translation, which is not available yet; use /v1/batches or /openai/v1 for it");
	}

	private static String batchId(ServerRequest request, BatchProvider provider) {
		return RequestParams.matching("message_batch_id", request.pathVariable("message_batch_id"),
				provider.idPattern(), "a message batch id matching " + provider.idPattern().pattern());
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
		if (batch instanceof ObjectNode object && AnthropicWire.text(batch, "results_url") != null) {
			String base = UriComponentsBuilder.fromUri(request.uri())
				.replacePath(null)
				.replaceQuery(null)
				.toUriString();
			object.put("results_url",
					base + "/anthropic/v1/messages/batches/" + AnthropicWire.text(batch, "id") + "/results");
		}
		return batch;
	}

	private static Mono<ServerResponse> ok(JsonNode body) {
		return ServerResponse.ok().contentType(MediaType.APPLICATION_JSON).bodyValue(body);
	}

}
