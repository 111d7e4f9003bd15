package dev.ferry.provider.fireworks;

import java.net.URI;

import dev.ferry.batch.BatchProvider;
import dev.ferry.batch.ProviderDescriptor;
import dev.ferry.batch.ProviderFamily;
import dev.ferry.config.ProviderProperties;
import dev.ferry.provider.jobs.JobProviders;

import org.springframework.stereotype.Component;

/**
 * The {@code fireworks} family: Fireworks' batch inference jobs, under the account set as
 * {@code ferry.providers.<name>.account-id}.
 */
@Component
class FireworksFamily implements ProviderFamily {

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

	private static final URI BASE_URL = URI.create("https://api.fireworks.ai");

	private final JobProviders providers;

	FireworksFamily(JobProviders providers) {
		this.providers = providers;
	}

	@Override
	public ProviderDescriptor descriptor() {
		return DESCRIPTOR;
	}

	@Override
	public URI defaultBaseUrl() {
		return BASE_URL;
	}

	@Override
	public BatchProvider create(String name, ProviderProperties properties) {
		String account = properties.accountId();
		if (account == null || !FireworksApi.ACCOUNT.matcher(account).matches()) {
			throw new IllegalStateException("ferry.providers." + name + ".account-id must be set to the Fireworks "
					+ "account the batch jobs run under (lower-case letters, digits and '-'), not '" + account + "'");
		}
		return this.providers.create(name, properties,
				(client, mapper) -> new FireworksApi(client, mapper, account, this.providers.maxLineBytes()));
	}

}
