package dev.ferry.provider.openai;

import java.util.Map;
import java.util.function.Function;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import dev.ferry.auth.CallerHeaders;
import dev.ferry.batch.ApiError;
import dev.ferry.batch.ProviderDescriptor;
import dev.ferry.results.JsonLine;

import org.springframework.http.HttpHeaders;
import org.springframework.http.codec.multipart.PartEvent;
import org.springframework.web.reactive.function.client.ClientRequest;
import org.springframework.web.util.UriComponentsBuilder;

/**
 * Azure OpenAI's Global-Batch deployments: OpenAI's API under
 * {@code https://{resource}.openai.azure.com/openai/v1}, or under {@code …/openai} with
 * an {@code api-version} query on every call (the legacy API, chosen by setting
 * {@code api-version}). Keys go in an {@code api-key} header; every line of a batch file
 * must name the same deployment in {@code model}, which Ferry maps from model names with
 * {@code deployments}; a create refused with {@code token_limit_exceeded} (the enqueued
 * token quota is full) is retried with backoff.
 */
final class AzureProvider extends OpenAiProvider {

	static final ProviderDescriptor DESCRIPTOR = ProviderDescriptor.builder("azure")
		.endpoints(OpenAiFamilies.CHAT, OpenAiFamilies.RESPONSES)
		.limits(100_000, OpenAiFamilies.megabytes(200))
		.auth(ProviderDescriptor.Auth.API_KEY)
		.build();

	private static final String TOKEN_LIMIT_EXCEEDED = "token_limit_exceeded";

	private final Map<String, String> deployments;

	private final int maxLineBytes;

	AzureProvider(Setup setup) {
		super(withApiVersion(setup));
		this.deployments = Map.copyOf(setup.properties().deployments());
		this.maxLineBytes = setup.maxLineBytes();
	}

	/** The legacy API takes its version as a query parameter on every call. */
	private static Setup withApiVersion(Setup setup) {
		String version = setup.properties().apiVersion();
		if (version == null || version.isBlank()) {
			return setup;
		}
		return setup.withClient(setup.client()
			.mutate()
			.filter((request, next) -> next.exchange(ClientRequest.from(request)
				.url(UriComponentsBuilder.fromUri(request.url()).queryParam("api-version", version).build(true).toUri())
				.build()))
			.build());
	}

	@Override
	protected void credentials(HttpHeaders headers, String key) {
		headers.set("api-key", key);
	}

	/**
	 * A caller's Entra ID token stays a bearer token; any other key of theirs goes as
	 * {@code api-key}.
	 */
	@Override
	protected void ownCredentials(HttpHeaders headers, CallerHeaders caller, String key) {
		if (caller.get("authorization").isPresent() && caller.get("api-key").isEmpty()
				&& caller.get("x-api-key").isEmpty()) {
			headers.setBearerAuth(key);
		}
		else {
			credentials(headers, key);
		}
	}

	@Override
	protected Flux<PartEvent> uploadParts(Flux<PartEvent> parts) {
		return UploadLines.map(parts, this.maxLineBytes, () -> new Deployments(this.mapper, this.deployments));
	}

	@Override
	protected Mono<JsonNode> creating(Mono<JsonNode> create) {
		return this.retries.refusedThenRetried(super.creating(create), AzureProvider::tokenLimitExceeded);
	}

	private static boolean tokenLimitExceeded(ApiError error) {
		return TOKEN_LIMIT_EXCEEDED.equals(error.code())
				|| (error.getMessage() != null && error.getMessage().contains(TOKEN_LIMIT_EXCEEDED));
	}

	/**
	 * Puts each line's deployment in its {@code model}: a model name with a configured
	 * deployment becomes that deployment, anything else is taken as a deployment name.
	 * Every line must end up on the first line's deployment, as Azure requires. A line
	 * without a request body (a file of another purpose) passes unchanged.
	 */
	private static final class Deployments implements Function<JsonLine, byte[]> {

		private final JsonMapper mapper;

		private final Map<String, String> deployments;

		private @Nullable String first;

		Deployments(JsonMapper mapper, Map<String, String> deployments) {
			this.mapper = mapper;
			this.deployments = deployments;
		}

		@Override
		public byte[] apply(JsonLine line) {
			JsonNode node = read(line);
			JsonNode model = node.path("body").path("model");
			if (!model.isString()) {
				return line.bytes();
			}
			String deployment = this.deployments.getOrDefault(model.stringValue(), model.stringValue());
			if (this.first == null) {
				this.first = deployment;
			}
			else if (!this.first.equals(deployment)) {
				throw UploadLines.refused(line, "body.model '" + model.stringValue() + "' runs on deployment '"
						+ deployment + "', line 1's on '" + this.first + "' (expected: one deployment per batch file)");
			}
			if (deployment.equals(model.stringValue())) {
				return line.bytes();
			}
			((ObjectNode) node.path("body")).put("model", deployment);
			return this.mapper.writeValueAsBytes(node);
		}

		private JsonNode read(JsonLine line) {
			try {
				JsonNode node = this.mapper.readTree(line.bytes());
				if (node.isObject()) {
					return node;
				}
			}
			catch (JacksonException ex) {
				throw UploadLines.refused(line, "not valid JSON (" + ex.getOriginalMessage() + ")");
			}
			throw UploadLines.refused(line, "expected a JSON object");
		}

	}

}
