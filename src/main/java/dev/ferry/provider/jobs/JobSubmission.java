package dev.ferry.provider.jobs;

import java.util.Map;
import java.util.function.Supplier;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import tools.jackson.databind.node.ObjectNode;

import dev.ferry.files.InputRequest;

/**
 * A batch ready to go upstream: every request checked, counted and of one model.
 *
 * @param requests the requests, read anew on each subscription, each body without its
 * {@code model} (it is the batch's)
 * @param count how many there are
 * @param inline whether the requests came inline in the create call (none was uploaded)
 * @param endpoint the endpoint every request targets
 * @param model the batch's one model
 * @param metadata the caller's metadata
 * @param name a name for the job, for providers that want one
 * @param options create-body fields beyond OpenAI's, for providers that take settings of
 * their own on the job (Fireworks' {@code inference_parameters})
 */
public record JobSubmission(Supplier<Flux<InputRequest>> requests, long count, boolean inline, String endpoint,
		String model, @Nullable Map<String, String> metadata, String name, ObjectNode options) {
}
