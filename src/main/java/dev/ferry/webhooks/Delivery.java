package dev.ferry.webhooks;

/**
 * One event on its way to one endpoint, kept in the blob store until the endpoint
 * acknowledges it or it is given up.
 *
 * @param eventId the event's id, sent as {@code webhook-id} on every attempt
 * @param endpoint the endpoint's place in the configuration
 * @param body the event, exactly as sent and signed
 * @param attempts the attempts made so far
 * @param firstAt when it was queued, in epoch milliseconds
 * @param nextAt when it is next attempted
 * @param leasedUntil until when a replica sending it holds it
 */
record Delivery(String eventId, int endpoint, String body, int attempts, long firstAt, long nextAt, long leasedUntil) {

	static final String FOLDER = "webhooks/deliveries";

	String key() {
		return FOLDER + "/" + this.eventId + "." + this.endpoint;
	}

	Delivery leased(long until) {
		return new Delivery(this.eventId, this.endpoint, this.body, this.attempts, this.firstAt, this.nextAt, until);
	}

	Delivery failedOnce(long next) {
		return new Delivery(this.eventId, this.endpoint, this.body, this.attempts + 1, this.firstAt, next, 0);
	}

}
