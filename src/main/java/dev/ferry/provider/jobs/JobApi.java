package dev.ferry.provider.jobs;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;

import dev.ferry.batch.ProviderDescriptor;
import dev.ferry.files.InputRequest;

/**
 * The wire of one job-style provider: how a checked batch is submitted, how its job is
 * read, listed and cancelled, what the job's state means in OpenAI's vocabulary, and how
 * its results read as OpenAI output and error lines.
 */
public interface JobApi {

	/**
	 * The code of the error a wire's {@link #submit} answers with for a batch below the
	 * provider's minimum of requests, before anything is written upstream; where the
	 * provider is configured to, Ferry then runs the batch itself.
	 */
	String TOO_FEW_REQUESTS = "too_few_requests";

	/**
	 * What the provider can do.
	 * @return the family's descriptor
	 */
	ProviderDescriptor descriptor();

	/**
	 * Checks one request as the provider will take it, in the pass over the batch that
	 * runs before anything goes upstream; by default there is nothing beyond the envelope
	 * to check.
	 * @param request the request, its body still with its {@code model}
	 * @param endpoint the batch endpoint
	 * @throws dev.ferry.batch.ApiError 400 naming the request and what the provider
	 * cannot take
	 */
	default void check(InputRequest request, String endpoint) {
	}

	/**
	 * Submits a batch whose every request has been checked.
	 * @param submission the requests and what the job is set with
	 * @return the provider's job
	 */
	Mono<JsonNode> submit(JobSubmission submission);

	Mono<JsonNode> retrieve(String jobId);

	/**
	 * The provider's jobs, newest first, read page after page as they are consumed.
	 * @return the jobs; empty where the provider has no list (Ferry then lists the
	 * batches it created)
	 */
	Flux<JsonNode> list();

	/**
	 * Whether the provider lists its jobs itself.
	 * @return false where Ferry lists the batches it created instead
	 */
	default boolean lists() {
		return true;
	}

	Mono<JsonNode> cancel(String jobId);

	/**
	 * Deletes an ended job at the provider, where jobs can be deleted.
	 * @param jobId the job
	 * @return completes once deleted; by default there is nothing to delete
	 */
	default Mono<Void> delete(String jobId) {
		return Mono.empty();
	}

	/**
	 * The job's native id.
	 * @param job the job
	 * @return its id
	 */
	String id(JsonNode job);

	/**
	 * The job in OpenAI's vocabulary.
	 * @param job the job
	 * @return its state
	 */
	JobState state(JsonNode job);

	/**
	 * The results of an ended job, each as an OpenAI output or error line, read as they
	 * arrive.
	 * @param job the job, which has ended
	 * @return the results
	 */
	Flux<ResultLine> results(JsonNode job);

}
