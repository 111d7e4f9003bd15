package dev.ferry.provider.bedrock;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import dev.ferry.batch.ApiError;
import dev.ferry.batch.RandomIds;
import dev.ferry.batch.SyncUpstream;
import dev.ferry.translate.ChatToMessages.TranslationException;

import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.client.WebClient;

/**
 * Bedrock's runtime as the synchronous API of the batches Ferry runs itself (those below
 * a job's minimum of records): each request goes, in the same body a job's record would
 * carry, to {@code /model/{model}/invoke} (Claude, Titan, Cohere Embed) or
 * {@code /model/{model}/converse} (Nova, Llama, Mistral), signed with SigV4 by the AWS
 * SDK's signer and sent on Ferry's own non-blocking client; the answer reads back like a
 * job's output record. Credentials are resolved on a bounded scheduler, since the chain
 * may read files or call the instance's metadata service.
 */
final class BedrockRuntime implements SyncUpstream {

	/** SigV4's service name for the runtime, the same as the control plane's. */
	private static final String SIGNING_NAME = "bedrock";

	private final WebClient client;

	private final URI endpoint;

	private final AwsCredentialsProvider credentials;

	private final String region;

	private final Scheduler blocking;

	private final BedrockRecords records;

	private final JsonMapper mapper;

	private final Clock clock;

	private final AwsV4HttpSigner signer = AwsV4HttpSigner.create();

	BedrockRuntime(WebClient client, URI endpoint, AwsCredentialsProvider credentials, String region,
			Scheduler blocking, BedrockRecords records, JsonMapper mapper, Clock clock) {
		this.client = client;
		this.endpoint = endpoint;
		this.credentials = credentials;
		this.region = region;
		this.blocking = blocking;
		this.records = records;
		this.mapper = mapper;
		this.clock = clock;
	}

	/**
	 * The region's runtime endpoint.
	 * @param region the region
	 * @return {@code https://bedrock-runtime.{region}.amazonaws.com}
	 */
	static URI regional(String region) {
		return URI.create("https://bedrock-runtime." + region + ".amazonaws.com");
	}

	@Override
	public Mono<Answer> send(String endpoint, JsonNode body) {
		String model = body.path("model").asString("");
		BedrockRecords.Body kind = BedrockRecords.body(model, endpoint);
		if (kind == null) {
			return Mono.just(refused(BedrockRecords.refusal(model, endpoint)));
		}
		byte[] input;
		try {
			input = this.mapper.writeValueAsBytes(this.records.modelInput(body, "", model, endpoint));
		}
		catch (TranslationException | ApiError ex) {
			return Mono.just(refused(ex.getMessage()));
		}
		String operation = (kind == BedrockRecords.Body.CONVERSE) ? "/converse" : "/invoke";
		URI uri = URI.create(this.endpoint.toString().replaceAll("/+$", "") + "/model/"
				+ URLEncoder.encode(model, StandardCharsets.UTF_8).replace("+", "%20") + operation);
		return Mono.fromCallable(() -> signedHeaders(uri, input))
			.subscribeOn(this.blocking)
			.flatMap((headers) -> this.client.post()
				.uri(uri)
				.headers((http) -> headers.forEach(http::addAll))
				.bodyValue(input)
				.exchangeToMono((response) -> response.bodyToMono(byte[].class)
					.defaultIfEmpty(new byte[0])
					.map((bytes) -> answer(response.statusCode().value(),
							response.headers().asHttpHeaders().getFirst("x-amzn-ErrorType"), bytes, model, kind,
							endpoint))))
			.onErrorResume((failure) -> Mono.just(Answer.failed(failure)));
	}

	/** The request's headers with its SigV4 signature, the credentials resolved anew. */
	private Map<String, List<String>> signedHeaders(URI uri, byte[] body) {
		AwsCredentialsIdentity identity = this.credentials.resolveIdentity().join();
		SdkHttpRequest request = SdkHttpRequest.builder()
			.method(SdkHttpMethod.POST)
			.uri(uri)
			.putHeader("Content-Type", MediaType.APPLICATION_JSON_VALUE)
			.putHeader("Accept", MediaType.APPLICATION_JSON_VALUE)
			.build();
		return this.signer
			.sign((sign) -> sign.identity(identity)
				.request(request)
				.payload(ContentStreamProvider.fromByteArray(body))
				.putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, SIGNING_NAME)
				.putProperty(AwsV4HttpSigner.REGION_NAME, this.region))
			.request()
			.headers();
	}

	/**
	 * An answer in OpenAI's shape: the model's output read like a job's output record, or
	 * Bedrock's error ({@code {"message"}}, its type in {@code x-amzn-ErrorType}).
	 */
	private Answer answer(int status, @Nullable String errorType, byte[] bytes, String model, BedrockRecords.Body kind,
			String endpoint) {
		JsonNode json;
		try {
			json = this.mapper.readTree(bytes);
		}
		catch (JacksonException ex) {
			json = this.mapper.createObjectNode().put("message", new String(bytes, StandardCharsets.UTF_8));
		}
		if (status == 200 && json != null && json.isObject()) {
			ObjectNode record = this.mapper.createObjectNode().put("recordId", "p" + RandomIds.hex(8));
			record.set("modelOutput", json);
			JsonNode line = this.records
				.reader(model, kind, endpoint.equals(BedrockRecords.MESSAGES), "bedrock-runtime",
						this.clock.millis() / 1000)
				.apply(record)
				.line();
			return new Answer(200, line.path("response").path("body"), null, null);
		}
		String message = (json != null) ? json.path("message").asString("Bedrock answered " + status)
				: "Bedrock answered " + status;
		ObjectNode error = this.mapper.createObjectNode();
		ObjectNode inner = error.putObject("error")
			.put("message", message)
			.put("type", (status >= 500) ? "api_error" : "invalid_request_error");
		if (errorType != null) {
			inner.put("code", errorType.replaceAll(":.*", ""));
		}
		return new Answer(status, error, null, null);
	}

	private Answer refused(String message) {
		ObjectNode error = this.mapper.createObjectNode();
		error.putObject("error").put("message", message).put("type", "invalid_request_error");
		return new Answer(400, error, null, null);
	}

}
