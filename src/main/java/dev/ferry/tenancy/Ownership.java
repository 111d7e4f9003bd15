package dev.ferry.tenancy;

import java.time.Clock;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

import dev.ferry.auth.CallerHeaders;
import dev.ferry.auth.GatewayKeys.Gateway;
import dev.ferry.batch.ApiError;
import dev.ferry.config.FerryProperties;
import dev.ferry.storage.BlobKeys;
import dev.ferry.storage.BlobStore;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Component;

/**
 * Which team owns each batch and file created with a gateway key, kept in the shared blob
 * store so that every replica agrees: one small create-only record per object
 * ({@code tenancy/owners/…}), and an index per team, newest first, for lists
 * ({@code tenancy/teams/…}), since the provider lists every team's objects together.
 *
 * <p>
 * Once the gateway keys name two teams or more, a caller with a gateway key that is not
 * an admin is confined to its team: anything else, including what was created before
 * ownership was kept or with a caller's own provider key, is not found for it (a 404,
 * never a 403, so that existence is not revealed). Admin keys and callers with their own
 * provider key see what they saw before.
 */
@Component
public class Ownership {

	/** What is owned. */
	public enum Kind {

		/** A batch. */
		BATCH("batches", "Batch"),

		/** A file: uploaded, or a batch's output or errors. */
		FILE("files", "File");

		private final String folder;

		private final String object;

		Kind(String folder, String object) {
			this.folder = folder;
			this.object = object;
		}

	}

	private final BlobStore blobs;

	private final JsonMapper mapper;

	private final Clock clock;

	/**
	 * Owner records this replica has seen written, or knows there is none to write (the
	 * result files of a batch no gateway key created), so that re-reading touches
	 * nothing.
	 */
	private final Cache<String, Boolean> recorded = Caffeine.newBuilder().maximumSize(100_000).build();

	/**
	 * Owners read, so that a team polling its batch reads the store once: a record never
	 * changes once written, and one deleted elsewhere only lets its team reach an object
	 * that is gone.
	 */
	private final Cache<String, Owner> owners = Caffeine.newBuilder()
		.maximumSize(100_000)
		.expireAfterWrite(java.time.Duration.ofMinutes(10))
		.build();

	/**
	 * Whether callers are confined at all: only once the keys name two teams or more, so
	 * that a Ferry with one team sees everything it saw before (batches made outside it
	 * included); ownership is recorded either way.
	 */
	private final boolean confining;

	Ownership(BlobStore blobs, JsonMapper mapper, ObjectProvider<Clock> clock, FerryProperties properties) {
		this.blobs = blobs;
		this.mapper = mapper;
		this.clock = clock.getIfAvailable(Clock::systemUTC);
		this.confining = properties.auth()
			.keys()
			.stream()
			.filter((key) -> !key.admin())
			.map(FerryProperties.GatewayKey::teamName)
			.distinct()
			.count() > 1;
	}

	/**
	 * The team the caller is confined to.
	 * @return the team of a gateway key that is not an admin's; empty for admins, for
	 * callers with their own provider key, and for everyone while there is one team
	 */
	public Mono<Optional<String>> confinedTo() {
		if (!this.confining) {
			return Mono.just(Optional.empty());
		}
		return CallerHeaders.current()
			.map((caller) -> Optional.ofNullable(caller.gateway())
				.filter((gateway) -> !gateway.admin())
				.map(Gateway::team));
	}

	/**
	 * Records that the caller's team owns an object it has just created; nothing for
	 * callers with their own provider key.
	 * @param kind batch or file
	 * @param provider the provider name
	 * @param nativeId the object's native id
	 * @param lines a file's lines, where they were counted, for the quotas on requests
	 * @return completion
	 */
	public Mono<Void> claim(Kind kind, String provider, String nativeId, @Nullable Long lines) {
		return CallerHeaders.current()
			.flatMap((caller) -> (caller.gateway() == null) ? Mono.empty() : record(kind, provider, nativeId,
					new Owner(caller.gateway().team(), caller.gateway().name(), null, lines)));
	}

	/**
	 * The lines of a file, as counted when it was uploaded through Ferry.
	 * @param provider the provider name
	 * @param fileId the file's native id
	 * @return the count; empty when it was not counted
	 */
	public Mono<Long> lines(String provider, String fileId) {
		return owner(Kind.FILE, provider, fileId).mapNotNull(Owner::lines);
	}

	/**
	 * Gives a batch's output and error files the batch's owner, once they exist.
	 * @param provider the provider name
	 * @param batchId the batch's native id
	 * @param fileIds the native ids of its result files
	 * @return completion
	 */
	public Mono<Void> inherit(String provider, String batchId, Iterable<String> fileIds) {
		return Flux.fromIterable(fileIds)
			.filter((fileId) -> this.recorded.getIfPresent(ownerKey(Kind.FILE, provider, fileId)) == null)
			.collectList()
			.filter((missing) -> !missing.isEmpty())
			.flatMap((missing) -> owner(Kind.BATCH, provider, batchId).map(Optional::of)
				.defaultIfEmpty(Optional.empty())
				.flatMap((owner) -> inherit(owner, provider, missing)));
	}

	private Mono<Void> inherit(Optional<Owner> batchOwner, String provider, List<String> fileIds) {
		if (batchOwner.isEmpty()) {
			// A batch with result files and no owner never gains one: its owner is
			// recorded before its id is first answered, long before it has results.
			fileIds.forEach((fileId) -> this.recorded.put(ownerKey(Kind.FILE, provider, fileId), Boolean.TRUE));
			return Mono.empty();
		}
		Owner owner = batchOwner.get().inherited();
		return Flux.fromIterable(fileIds).concatMap((fileId) -> record(Kind.FILE, provider, fileId, owner)).then();
	}

	/**
	 * Lets a confined caller reach only what its team owns.
	 * @param kind batch or file
	 * @param provider the provider name
	 * @param nativeId the object's native id
	 * @param shownId the id as the caller sent it, for the error
	 * @return completion; a 404 for an object of another team, or of none
	 */
	public Mono<Void> check(Kind kind, String provider, String nativeId, String shownId) {
		return confinedTo().flatMap((team) -> {
			if (team.isEmpty()) {
				return Mono.empty();
			}
			return owner(kind, provider, nativeId).filter((owner) -> owner.team().equals(team.get()))
				.switchIfEmpty(
						Mono.error(() -> ApiError.notFound(provider, "No such " + kind.object + " object: " + shownId)))
				.then();
		});
	}

	/**
	 * The objects a confined caller's team owns at a provider, newest first.
	 * @param kind batch or file
	 * @param provider the provider name
	 * @return the native ids, read from the team's index; empty when the caller is not
	 * confined and the provider's own list applies
	 */
	public Mono<Optional<Flux<String>>> owned(Kind kind, String provider) {
		return confinedTo().map((team) -> team.map((name) -> this.blobs.list(teamFolder(name, kind, provider))
			.sort((a, b) -> b.compareTo(a))
			.map((entry) -> Created.of(name, provider, entry).nativeId())));
	}

	/**
	 * The batches gateway keys of some teams created at some providers, newest first,
	 * read from the teams' indexes.
	 * @param teams the teams
	 * @param providers the providers
	 * @return the batches, as the indexes have them
	 */
	public Flux<Created> created(Collection<String> teams, Collection<String> providers) {
		return Flux.fromIterable(teams)
			.flatMap((team) -> Flux.fromIterable(providers)
				.flatMap((provider) -> this.blobs.list(teamFolder(team, Kind.BATCH, provider))
					.map((entry) -> Created.of(team, provider, entry)), 4))
			.sort(Created.NEWEST_FIRST);
	}

	/**
	 * Forgets who owned a deleted object.
	 * @param kind batch or file
	 * @param provider the provider name
	 * @param nativeId the object's native id
	 * @return completion
	 */
	public Mono<Void> release(Kind kind, String provider, String nativeId) {
		String key = ownerKey(kind, provider, nativeId);
		this.recorded.invalidate(key);
		this.owners.invalidate(key);
		return owner(kind, provider, nativeId)
			.flatMap((owner) -> (owner.index() != null) ? this.blobs.delete(owner.index()) : Mono.empty())
			.then(this.blobs.delete(key));
	}

	private Mono<Void> record(Kind kind, String provider, String nativeId, Owner owner) {
		String key = ownerKey(kind, provider, nativeId);
		if (this.recorded.getIfPresent(key) != null) {
			return Mono.empty();
		}
		String index = teamFolder(owner.team(), kind, provider) + "/" + String.format("%013d", this.clock.millis())
				+ "-" + BlobKeys.part(nativeId);
		Owner kept = owner.indexedAt(index);
		// The owner record is written create-only: the first claim stands, and only its
		// writer adds the index entry.
		return this.blobs.create(key, this.mapper.writeValueAsBytes(kept))
			.flatMap((write) -> write.won() ? this.blobs.create(index, new byte[0]).then() : Mono.<Void>empty())
			.doOnSuccess((done) -> this.recorded.put(key, Boolean.TRUE));
	}

	/**
	 * Who owns an object.
	 * @param kind batch or file
	 * @param provider the provider name
	 * @param nativeId the object's native id
	 * @return its owner; empty for an object no gateway key created
	 */
	public Mono<Owner> owner(Kind kind, String provider, String nativeId) {
		String key = ownerKey(kind, provider, nativeId);
		Owner known = this.owners.getIfPresent(key);
		if (known != null) {
			return Mono.just(known);
		}
		return this.blobs.get(key)
			.map((blob) -> this.mapper.readValue(blob.bytes(), Owner.class))
			.doOnNext((owner) -> this.owners.put(key, owner));
	}

	private static String ownerKey(Kind kind, String provider, String nativeId) {
		return "tenancy/owners/" + kind.folder + "/" + BlobKeys.part(provider) + "/" + BlobKeys.part(nativeId);
	}

	private static String teamFolder(String team, Kind kind, String provider) {
		return "tenancy/teams/" + BlobKeys.part(team) + "/" + kind.folder + "/" + BlobKeys.part(provider);
	}

	/**
	 * Who owns an object.
	 *
	 * @param team the owning team
	 * @param key the gateway key that created it, or {@code null} for a batch's result
	 * file, which is its batch's
	 * @param index the team's index entry for it
	 * @param lines a file's lines, where Ferry counted them
	 */
	public record Owner(String team, @Nullable String key, @Nullable String index, @Nullable Long lines) {

		Owner indexedAt(String entry) {
			return new Owner(this.team, this.key, entry, this.lines);
		}

		/** The owner of what this object's creation brings with it. */
		Owner inherited() {
			return new Owner(this.team, null, null, null);
		}

	}

	/**
	 * A batch as its team's index has it.
	 *
	 * @param team the team
	 * @param provider the provider
	 * @param nativeId the batch's native id
	 * @param createdAt when it was recorded, in epoch milliseconds
	 */
	public record Created(String team, String provider, String nativeId, long createdAt) {

		/**
		 * Newest first; the same instant by provider and id, so that pages never overlap.
		 */
		public static final Comparator<Created> NEWEST_FIRST = Comparator.comparingLong(Created::createdAt)
			.reversed()
			.thenComparing(Created::provider)
			.thenComparing(Created::nativeId);

		/** An index entry, {@code <millis>-<id>}, read back. */
		static Created of(String team, String provider, String entry) {
			int dash = entry.indexOf('-');
			return new Created(team, provider, BlobKeys.text(entry.substring(dash + 1)),
					Long.parseLong(entry.substring(0, dash)));
		}

	}

}
