package dev.ferry.results;

/**
 * Who downloads a batch's results for the cluster: the replica that created lease
 * {@code epoch} (a create-only object, so exactly one replica holds each epoch). The
 * holder rewrites it while it downloads; the others judge it expired when it has not
 * changed for the lease duration on their own clock, and take over by creating the next
 * epoch.
 *
 * @param owner the holding replica's nonce
 * @param epoch the epoch, one more than the lease it took over
 * @param renewals how often the holder renewed it: makes every version's bytes new
 * @param renewedAt when it was last renewed, in epoch milliseconds, for the sweeper only
 * @param released whether the holder gave it up (its download failed)
 */
record SpoolLease(String owner, long epoch, long renewals, long renewedAt, boolean released) {

	SpoolLease renewed(long now) {
		return new SpoolLease(this.owner, this.epoch, this.renewals + 1, now, false);
	}

	SpoolLease release(long now) {
		return new SpoolLease(this.owner, this.epoch, this.renewals + 1, now, true);
	}

}
