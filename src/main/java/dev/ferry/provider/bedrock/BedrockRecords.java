package dev.ferry.provider.bedrock;

import java.util.function.Function;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import dev.ferry.provider.jobs.ResultLine;
import dev.ferry.translate.AnthropicErrorTypes;
import dev.ferry.translate.AnthropicResultToChat;
import dev.ferry.translate.ChatToConverse;
import dev.ferry.translate.ChatToMessage;
import dev.ferry.translate.ChatToMessages;
import dev.ferry.translate.ChatToMessages.TranslationException;
import dev.ferry.translate.ConverseToChat;
import dev.ferry.translate.MessagesToChat;

/**
 * What a request looks like as Bedrock's {@code modelInput}, model family by model
 * family, and how the {@code modelOutput} or {@code error} of a record reads back. The
 * same bodies go to a batch job's records and to the runtime's synchronous calls, so both
 * read the same way.
 * <ul>
 * <li>Anthropic Claude: Anthropic's Messages body with
 * {@code anthropic_version: bedrock-2023-05-31}; {@code /v1/messages} requests pass
 * through untranslated and their messages come back as they are, chat requests are
 * translated.</li>
 * <li>Amazon Nova, Meta Llama, Mistral: Converse requests, translated from chat (and from
 * Messages through chat).</li>
 * <li>Amazon Titan Text Embeddings: one {@code inputText}; Cohere Embed: {@code texts}
 * with an {@code input_type}.</li>
 * </ul>
 */
final class BedrockRecords {

	static final String CHAT = "/v1/chat/completions";

	static final String EMBEDDINGS = "/v1/embeddings";

	static final String MESSAGES = "/v1/messages";

	static final String ANTHROPIC_VERSION = "bedrock-2023-05-31";

	/** The body a model takes, which also decides the job's invocation type. */
	enum Body {

		/** Anthropic's Messages body, in an {@code InvokeModel} job. */
		CLAUDE,

		/** A Converse request, in a {@code Converse} job. */
		CONVERSE,

		/** Titan Text Embeddings' body, in an {@code InvokeModel} job. */
		TITAN,

		/** Cohere Embed's body, in an {@code InvokeModel} job. */
		COHERE_EMBED

	}

	private final JsonMapper mapper;

	private final ChatToMessages toMessages;

	private final AnthropicResultToChat fromClaude;

	private final ChatToConverse toConverse;

	private final ConverseToChat fromConverse;

	private final ChatToMessage toMessage;

	private final TitanEmbeddings titan;

	private final CohereEmbeddings cohere;

	BedrockRecords(JsonMapper mapper, int defaultMaxTokens) {
		this.mapper = mapper;
		this.toMessages = new ChatToMessages(mapper, defaultMaxTokens);
		this.fromClaude = new AnthropicResultToChat(mapper);
		this.toConverse = new ChatToConverse(mapper);
		this.fromConverse = new ConverseToChat(mapper);
		this.toMessage = new ChatToMessage(mapper);
		this.titan = new TitanEmbeddings(mapper);
		this.cohere = new CohereEmbeddings(mapper);
	}

	/**
	 * The body a model takes for an endpoint, by model id, inference profile
	 * ({@code us.anthropic.claude-…}) or an ARN naming either.
	 * @param model the model
	 * @param endpoint the batch endpoint
	 * @return the body, or {@code null} where Ferry does not run the model there
	 */
	static @Nullable Body body(String model, String endpoint) {
		if (endpoint.equals(EMBEDDINGS)) {
			return model.contains("amazon.titan-embed-text") ? Body.TITAN
					: model.contains("cohere.embed") ? Body.COHERE_EMBED : null;
		}
		if (!endpoint.equals(CHAT) && !endpoint.equals(MESSAGES)) {
			return null;
		}
		if (model.contains("anthropic.claude")) {
			return Body.CLAUDE;
		}
		return (model.contains("amazon.nova") || model.contains("meta.llama") || model.contains("mistral."))
				? Body.CONVERSE : null;
	}

	/**
	 * Why a model is not run for an endpoint, and what is.
	 * @param model the model
	 * @param endpoint the batch endpoint
	 * @return the reason
	 */
	static String refusal(String model, String endpoint) {
		if (endpoint.equals(EMBEDDINGS)) {
			return "model '" + model + "': Ferry runs embedding batches on Bedrock with Amazon Titan Text Embeddings "
					+ "(amazon.titan-embed-text-…) and Cohere Embed (cohere.embed-…)";
		}
		return "model '" + model + "': Ferry runs these models' chat and Messages batches on Bedrock: Anthropic "
				+ "Claude (anthropic.claude-…), Amazon Nova (amazon.nova-…), Meta Llama (meta.llama…) and Mistral "
				+ "(mistral.…), by model id, inference profile or ARN";
	}

	/**
	 * A request as the model's own body.
	 * @param request the request body, with or without its model
	 * @param customId the request's id, for messages
	 * @param model the batch's model
	 * @param endpoint the batch endpoint
	 * @return the {@code modelInput}
	 * @throws TranslationException naming what the model cannot take
	 */
	ObjectNode modelInput(JsonNode request, String customId, String model, String endpoint) {
		Body body = body(model, endpoint);
		if (body == null) {
			throw new TranslationException(refusal(model, endpoint));
		}
		return switch (body) {
			case TITAN -> this.titan.request(request);
			case COHERE_EMBED -> this.cohere.request(request);
			case CLAUDE -> endpoint.equals(MESSAGES) ? claudeAsItIs(request) : claudeFromChat(request, model);
			case CONVERSE -> this.toConverse
				.translate(endpoint.equals(MESSAGES) ? MessagesToChat.translate(customId, request) : request);
		};
	}

	private ObjectNode claudeFromChat(JsonNode request, String model) {
		ObjectNode input = this.toMessages.translate(request, model);
		input.remove("model");
		input.put("anthropic_version", ANTHROPIC_VERSION);
		return input;
	}

	/**
	 * A Messages request as Bedrock's Claude takes it: the same params without their
	 * model (the job's) and with Bedrock's Anthropic version. What Bedrock is known to
	 * refuse is refused here, before the job is made, since Bedrock does not check
	 * records until they run.
	 */
	private ObjectNode claudeAsItIs(JsonNode params) {
		if (params.path("stream").asBoolean(false)) {
			throw new TranslationException("stream: cannot be true in a batch");
		}
		if (!params.path("max_tokens").canConvertToInt() || params.path("max_tokens").asInt() < 1) {
			throw new TranslationException("max_tokens: required, a positive integer");
		}
		if (!params.path("messages").isArray() || params.path("messages").isEmpty()) {
			throw new TranslationException("messages: required, a non-empty array of messages");
		}
		for (String field : params.path("metadata").propertyNames()) {
			if (!field.equals("user_id")) {
				throw new TranslationException(
						"metadata." + field + ": Bedrock's Claude takes no metadata but user_id (accepted: user_id)");
			}
		}
		ObjectNode input = this.mapper.createObjectNode().put("anthropic_version", ANTHROPIC_VERSION);
		params.properties().forEach((field) -> {
			if (!field.getKey().equals("model") && !field.getKey().equals("stream")) {
				input.set(field.getKey(), field.getValue());
			}
		});
		return input;
	}

	/**
	 * How the records of one job, or one synchronous answer, read back.
	 * @param model the job's model
	 * @param body the body the job's records are in
	 * @param messages whether the requests were Messages requests, whose answers are read
	 * back as messages
	 * @param batchId the batch, from which stable line ids are derived
	 * @param created the {@code created} time of completions, in Unix seconds
	 * @return reads a record, {@code {recordId, modelOutput | error}}
	 */
	Function<JsonNode, ResultLine> reader(String model, Body body, boolean messages, String batchId, long created) {
		return switch (body) {
			case TITAN -> (row) -> openAiLine(row, (answer) -> this.titan.response(answer, model));
			case COHERE_EMBED -> (row) -> openAiLine(row, (answer) -> this.cohere.response(answer, model));
			case CONVERSE -> (row) -> {
				String customId = RecordIds.customId(row.path("recordId").asString(""));
				return openAiLine(row, (answer) -> {
					ObjectNode completion = this.fromConverse.completion(answer, "bedrock-" + customId, model, created);
					return messages ? this.toMessage.message(completion) : completion;
				});
			};
			case CLAUDE -> (row) -> claudeLine(row, messages, batchId, created);
		};
	}

	/**
	 * A Claude record as an OpenAI line, made through Anthropic's result shape: its
	 * message as a completion, or as it is for Messages requests.
	 */
	private ResultLine claudeLine(JsonNode row, boolean messages, String batchId, long created) {
		String customId = RecordIds.customId(row.path("recordId").asString(""));
		JsonNode error = row.path("error");
		boolean succeeded = row.path("modelOutput").isObject() && !error.isObject();
		return new ResultLine(succeeded,
				this.fromClaude.lineFor(customId, succeeded ? row.path("modelOutput") : null,
						AnthropicErrorTypes.typeFor(error.path("errorCode").asInt(500)),
						error.path("errorMessage").asString("no output for the record"), batchId, created, messages));
	}

	/**
	 * An OpenAI line for a record answered outside Anthropic's shape: its
	 * {@code modelOutput} read into the response body, or its {@code error} with
	 * Bedrock's status.
	 */
	private ResultLine openAiLine(JsonNode row, Function<JsonNode, ObjectNode> body) {
		String customId = RecordIds.customId(row.path("recordId").asString(""));
		ObjectNode line = this.mapper.createObjectNode().put("id", "batch_req_" + customId).put("custom_id", customId);
		ObjectNode response = line.putObject("response");
		line.putNull("error");
		JsonNode error = row.path("error");
		if (row.path("modelOutput").isObject() && !error.isObject()) {
			response.put("status_code", 200).putNull("request_id");
			response.set("body", body.apply(row.path("modelOutput")));
			return new ResultLine(true, line);
		}
		int code = error.path("errorCode").asInt(500);
		response.put("status_code", code).putNull("request_id");
		response.putObject("body")
			.putObject("error")
			.put("message", error.path("errorMessage").asString("no output for the record"))
			.put("type", (code < 500) ? "invalid_request_error" : "api_error");
		return new ResultLine(false, line);
	}

}
