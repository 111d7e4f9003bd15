package dev.ferry.provider.fireworks;

import java.net.URI;

import tools.jackson.databind.json.JsonMapper;

import dev.ferry.batch.ProviderDescriptor;
import dev.ferry.config.ProviderProperties;
import dev.ferry.provider.jobs.JobApi;
import dev.ferry.provider.jobs.JobClient;
import dev.ferry.provider.jobs.JobFamily;
import dev.ferry.provider.jobs.JobProviders;

import org.springframework.stereotype.Component;

/**
 * The {@code fireworks} family: Fireworks' batch inference jobs, under the account set as
 * {@code ferry.providers.<name>.account-id}.
 */
@Component
class FireworksFamily extends JobFamily {

	/**
	 * Chat requests, one model per job, no cancel, and an input of at most 150 MB: the
	 * most Fireworks takes in the single upload request Ferry sends (its 500 MB dataset
	 * limit needs signed-URL uploads, which Ferry does not make).
	 */
	static final ProviderDescriptor DESCRIPTOR = ProviderDescriptor.builder("fireworks")
		.format(ProviderDescriptor.Format.FIREWORKS)
		.filesApi(false)
		.endpoints("/v1/chat/completions")
		.idPattern(FireworksApi.JOB_ID)
		.limits(0, FireworksApi.MAX_UPLOAD_BYTES)
		.cancels(false)
		.build();

	FireworksFamily(JobProviders providers) {
		super(DESCRIPTOR, URI.create("https://api.fireworks.ai"), URI.create("https://api.fireworks.ai/inference/v1"),
				providers);
	}

	@Override
	protected JobApi wire(String name, ProviderProperties properties, JobClient client, JsonMapper mapper,
			int maxLineBytes) {
		String account = properties.accountId();
		if (account == null || !FireworksApi.ACCOUNT.matcher(account).matches()) {
			throw new IllegalStateException("ferry.providers." + name + ".account-id must be set to the Fireworks "
					+ "account the batch jobs run under (lower-case letters, digits and '-'), not '" + account + "'");
		}
		return new FireworksApi(client, mapper, account, maxLineBytes);
	}

}
