package dev.ferry.dialect.anthropic;

import com.anthropic.models.messages.Model;
import com.anthropic.models.messages.batches.BatchCreateParams;

import dev.ferry.batch.Params;

/**
 * Batch requests built with the official Anthropic SDK, as a user would write them.
 */
final class AnthropicRequests {

	private AnthropicRequests() {
	}

	static BatchCreateParams.Request request(String customId, String model, String text) {
		return BatchCreateParams.Request.builder()
			.customId(customId)
			.params(BatchCreateParams.Request.Params.builder()
				.model(Model.of(model))
				.maxTokens(64)
				.addUserMessage(text)
				.build())
			.build();
	}

}
