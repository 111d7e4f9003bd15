package dev.ferry.webhooks;

import java.time.Clock;
import java.util.List;

import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

import dev.ferry.config.FerryProperties;
import dev.ferry.storage.BlobKeys;
import dev.ferry.storage.BlobStore;
import dev.ferry.webhooks.WebhookTargets.Target;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Component;

/**
 * The batches Ferry watches until they end, to announce their end: one small record per
 * batch in the blob store ({@code webhooks/watch/…}), written when a gateway key creates
 * a batch whose team an endpoint hears of, so that a restart or another replica goes on
 * watching it.
 */
@Component
public class BatchWatches {

	static final String FOLDER = "webhooks/watch";

	private final BlobStore blobs;

	private final JsonMapper mapper;

	private final Clock clock;

	private final List<Target> targets;

	BatchWatches(FerryProperties properties, BlobStore blobs, JsonMapper mapper, ObjectProvider<Clock> clock) {
		this.targets = WebhookTargets.check(properties.webhooks());
		this.blobs = blobs;
		this.mapper = mapper;
		this.clock = clock.getIfAvailable(Clock::systemUTC);
	}

	List<Target> targets() {
		return this.targets;
	}

	/**
	 * Starts watching a batch just created, where an endpoint hears of its team.
	 * @param provider the provider name
	 * @param batchId the batch's native id
	 * @param shownId the batch's id as Ferry shows it, which the event carries
	 * @param team the team that created it
	 * @return completion
	 */
	public Mono<Void> watch(String provider, String batchId, String shownId, String team) {
		if (this.targets.stream().noneMatch((target) -> target.hears(team))) {
			return Mono.empty();
		}
		long now = this.clock.millis();
		Watch watch = new Watch(provider, batchId, shownId, team, now, now, 0);
		return this.blobs.create(key(provider, batchId), this.mapper.writeValueAsBytes(watch)).then();
	}

	static String key(String provider, String batchId) {
		return FOLDER + "/" + BlobKeys.part(provider) + "." + BlobKeys.part(batchId);
	}

	/**
	 * A batch being watched.
	 *
	 * @param provider its provider
	 * @param batchId its native id
	 * @param shownId its id as Ferry shows it
	 * @param team the team that created it
	 * @param createdAt when it was created, in epoch milliseconds
	 * @param nextCheck when it is next read
	 * @param leasedUntil until when a replica reading it holds it
	 */
	record Watch(String provider, String batchId, String shownId, String team, long createdAt, long nextCheck,
			long leasedUntil) {

		Watch leased(long until) {
			return new Watch(this.provider, this.batchId, this.shownId, this.team, this.createdAt, this.nextCheck,
					until);
		}

		Watch checkAgainAt(long at) {
			return new Watch(this.provider, this.batchId, this.shownId, this.team, this.createdAt, at, 0);
		}

	}

}
