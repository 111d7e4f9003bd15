package dev.ferry.batch;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * What a provider family can do, declared once, so that Ferry refuses what a provider
 * cannot do before anything goes upstream, with an error that names the provider and what
 * it accepts, and lists it in {@code GET /v1/providers}.
 *
 * @param family the family's name, such as {@code groq}
 * @param format the wire format of the provider's batch objects and result lines
 * @param nativeBatches whether the provider runs batches itself (otherwise Ferry would)
 * @param filesApi whether the provider stores input files itself; otherwise Ferry holds
 * them
 * @param inlineRequests whether the provider takes requests inline in the create call;
 * otherwise Ferry writes inline requests as a file and uploads it
 * @param endpoints the batch endpoints the provider runs
 * @param windows the completion windows it accepts
 * @param idPattern the ids it mints; any other id is refused before it reaches the
 * upstream
 * @param maxLines the most requests one input file may hold, 0 when none is documented
 * @param maxFileBytes the largest batch input file, 0 when none is documented
 * @param auth how the provider takes its key
 * @param listFilteredServerSide whether the provider filters its batch list itself (by
 * status or metadata); otherwise a filtered list has to be filtered by Ferry
 * @param refusedCreateFields create-body fields the provider answers with a 400
 * @param refusedUploadFields upload form fields (or their {@code name[…]} prefix) the
 * provider answers with a 400
 * @param nativeIdPrefixes id prefixes only this family mints, which route an id to it
 * @param cancels whether the provider can cancel a batch; otherwise Ferry refuses a
 * cancel before it goes upstream
 * @param unsupported why no batch can run on the provider at all, and what to do instead;
 * {@code null} for every provider that runs batches
 */
public record ProviderDescriptor(String family, Format format, boolean nativeBatches, boolean filesApi,
		boolean inlineRequests, Set<String> endpoints, CompletionWindows windows, Pattern idPattern, long maxLines,
		long maxFileBytes, Auth auth, boolean listFilteredServerSide, Set<String> refusedCreateFields,
		Set<String> refusedUploadFields, List<String> nativeIdPrefixes, boolean cancels, @Nullable String unsupported) {

	/** The id alphabet of OpenAI-style providers. */
	public static final Pattern OPENAI_ID = Pattern.compile("[A-Za-z0-9_-]{1,128}");

	/**
	 * Starts a descriptor with OpenAI's defaults: native batches through a files API, the
	 * {@code 24h} window, OpenAI's id alphabet, bearer keys.
	 * @param family the family's name
	 * @return the builder
	 */
	public static Builder builder(String family) {
		return new Builder(family);
	}

	/**
	 * Refuses an endpoint the provider does not run.
	 * @param provider the provider name
	 * @param endpoint the batch endpoint
	 * @throws ApiError 400 naming the provider and the endpoints it runs
	 */
	public void checkEndpoint(String provider, String endpoint) {
		if (this.unsupported != null) {
			throw unsupported(provider);
		}
		if (!this.endpoints.contains(endpoint)) {
			throw ApiError.invalid("endpoint", "endpoint: '" + endpoint + "' is not run by provider '" + provider
					+ "' (it runs: " + String.join(", ", new TreeSet<>(this.endpoints)) + ")");
		}
	}

	/**
	 * The error for any batch operation on a provider that cannot run batches.
	 * @param provider the provider name
	 * @return a 400 {@code unsupported_operation} saying why and what to do instead
	 */
	public ApiError unsupported(String provider) {
		return new ApiError(400, ApiError.INVALID_REQUEST, "unsupported_operation",
				"provider '" + provider + "' cannot run batches: " + this.unsupported, null, provider);
	}

	/**
	 * Refuses a completion window the provider does not accept.
	 * @param provider the provider name
	 * @param window the caller's window
	 * @throws ApiError 400 naming the provider and the windows it accepts
	 */
	public void checkWindow(String provider, String window) {
		if (!this.windows.accepts(window)) {
			throw ApiError.invalid("completion_window", "completion_window: '" + window
					+ "' is not accepted by provider '" + provider + "' (it accepts: " + this.windows.describe() + ")");
		}
	}

	/**
	 * Refuses a batch with more requests than the provider takes.
	 * @param provider the provider name
	 * @param requests the number of requests
	 * @param param the parameter they came in
	 * @throws ApiError 400 naming the provider's limit
	 */
	public void checkRequestCount(String provider, long requests, String param) {
		if (this.maxLines > 0 && requests > this.maxLines) {
			throw ApiError.invalid(param, param + ": " + requests + " requests (provider '" + provider
					+ "' takes at most " + this.maxLines + " per batch)");
		}
	}

	/**
	 * Refuses create-body fields the provider would answer with a 400.
	 * @param provider the provider name
	 * @param body the create body as it would be sent
	 * @throws ApiError 400 naming the field
	 */
	public void checkCreateFields(String provider, JsonNode body) {
		for (String field : this.refusedCreateFields) {
			if (body.has(field)) {
				throw ApiError.invalid(field, field + ": not supported by provider '" + provider + "' (remove it)");
			}
		}
	}

	/**
	 * Whether an upload form field is one the provider refuses.
	 * @param name the form field's name
	 * @return true for a refused field, or a part of one ({@code expires_after[anchor]})
	 */
	public boolean refusesUploadField(String name) {
		return this.refusedUploadFields.stream()
			.anyMatch((field) -> name.equals(field) || name.startsWith(field + "[") || name.startsWith(field + "."));
	}

	/** The wire formats of batch objects and result lines. */
	public enum Format {

		/** OpenAI's batch and file objects, and its output and error lines. */
		OPENAI,

		/** Anthropic's {@code MessageBatch} and its results stream. */
		ANTHROPIC,

		/** Mistral's batch jobs and its OpenAI-shaped output files. */
		MISTRAL,

		/** xAI's batches with counters for a status and paged results. */
		XAI,

		/** OpenRouter's inline batches with inline results. */
		OPENROUTER,

		/** Fireworks' batch inference jobs on datasets. */
		FIREWORKS,

		/** Cohere's batches and embed jobs on datasets. */
		COHERE,

		/** Gemini's batch operations on GenerateContent requests. */
		GEMINI,

		/** Vertex AI's batch prediction jobs, staged in Cloud Storage. */
		VERTEX,

		/** Bedrock's model invocation jobs, on S3. */
		BEDROCK

	}

	/** How a provider takes its key. */
	public enum Auth {

		/** {@code Authorization: Bearer <key>}. */
		BEARER,

		/** {@code api-key: <key>}, or a bearer token (Azure). */
		API_KEY,

		/** {@code x-api-key: <key>} (Anthropic). */
		X_API_KEY,

		/** {@code x-goog-api-key: <key>} (Gemini). */
		X_GOOG_API_KEY,

		/** No key: an in-process provider. */
		NONE

	}

	/** Builds a descriptor; every value has a default but the family's name. */
	public static final class Builder {

		private final String family;

		private Format format = Format.OPENAI;

		private boolean nativeBatches = true;

		private boolean filesApi = true;

		private boolean inlineRequests;

		private Set<String> endpoints = Set.of("/v1/chat/completions");

		private CompletionWindows windows = CompletionWindows.only("24h");

		private Pattern idPattern = OPENAI_ID;

		private long maxLines;

		private long maxFileBytes;

		private Auth auth = Auth.BEARER;

		private boolean listFilteredServerSide;

		private Set<String> refusedCreateFields = Set.of();

		private Set<String> refusedUploadFields = Set.of();

		private List<String> nativeIdPrefixes = List.of();

		private boolean cancels = true;

		private @Nullable String unsupported;

		private Builder(String family) {
			this.family = family;
		}

		public Builder format(Format format) {
			this.format = format;
			return this;
		}

		public Builder nativeBatches(boolean nativeBatches) {
			this.nativeBatches = nativeBatches;
			return this;
		}

		public Builder filesApi(boolean filesApi) {
			this.filesApi = filesApi;
			return this;
		}

		public Builder inlineRequests(boolean inlineRequests) {
			this.inlineRequests = inlineRequests;
			return this;
		}

		public Builder endpoints(String... endpoints) {
			this.endpoints = Set.of(endpoints);
			return this;
		}

		public Builder windows(CompletionWindows windows) {
			this.windows = windows;
			return this;
		}

		public Builder idPattern(Pattern idPattern) {
			this.idPattern = idPattern;
			return this;
		}

		public Builder limits(long maxLines, long maxFileBytes) {
			this.maxLines = maxLines;
			this.maxFileBytes = maxFileBytes;
			return this;
		}

		public Builder auth(Auth auth) {
			this.auth = auth;
			return this;
		}

		public Builder listFilteredServerSide(boolean listFilteredServerSide) {
			this.listFilteredServerSide = listFilteredServerSide;
			return this;
		}

		public Builder refusedCreateFields(String... fields) {
			this.refusedCreateFields = Set.of(fields);
			return this;
		}

		public Builder refusedUploadFields(String... fields) {
			this.refusedUploadFields = Set.of(fields);
			return this;
		}

		public Builder nativeIdPrefixes(String... prefixes) {
			this.nativeIdPrefixes = List.of(prefixes);
			return this;
		}

		public Builder cancels(boolean cancels) {
			this.cancels = cancels;
			return this;
		}

		public Builder unsupported(String why) {
			this.unsupported = why;
			return this;
		}

		public ProviderDescriptor build() {
			return new ProviderDescriptor(this.family, this.format, this.nativeBatches, this.filesApi,
					this.inlineRequests, this.endpoints, this.windows, this.idPattern, this.maxLines, this.maxFileBytes,
					this.auth, this.listFilteredServerSide, this.refusedCreateFields, this.refusedUploadFields,
					this.nativeIdPrefixes, this.cancels, this.unsupported);
		}

	}

}
