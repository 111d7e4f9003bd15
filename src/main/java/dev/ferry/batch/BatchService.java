package dev.ferry.batch;

import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Stream;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

import dev.ferry.auth.CallerHeaders;
import dev.ferry.config.FerryProperties;
import dev.ferry.tenancy.Ownership;
import dev.ferry.tenancy.Ownership.Kind;
import dev.ferry.tenancy.Quotas;
import dev.ferry.usage.UsageRecorder;
import dev.ferry.webhooks.BatchWatches;

import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.MediaType;
import org.springframework.http.codec.multipart.FilePartEvent;
import org.springframework.http.codec.multipart.FormPartEvent;
import org.springframework.http.codec.multipart.PartEvent;
import org.springframework.stereotype.Service;

/**
 * The dialect-independent operations on batches and files: decodes the ids callers send
 * into the provider's native ones, refuses what the provider's descriptor excludes before
 * anything goes upstream, turns inline requests into an input file for providers that
 * take none, and attributes failures to the provider.
 */
@Service
public class BatchService {

	private final InlineRequests inlineRequests;

	private final long maxUploadBytes;

	private final Ownership ownership;

	private final Quotas quotas;

	private final UsageRecorder usage;

	private final BatchWatches watches;

	public BatchService(JsonMapper mapper, FerryProperties properties, Ownership ownership, Quotas quotas,
			UsageRecorder usage, BatchWatches watches) {
		this.watches = watches;
		this.inlineRequests = new InlineRequests(mapper);
		this.maxUploadBytes = properties.files().maxUploadSize().toBytes();
		this.ownership = ownership;
		this.quotas = quotas;
		this.usage = usage;
	}

	/**
	 * Creates a batch; for a provider that takes no inline requests, inline ones are
	 * first written as a JSONL file and uploaded.
	 * @param provider the provider
	 * @param body the checked body
	 * @param model the model, split from any provider prefix
	 * @return the created batch
	 */
	public Mono<Batch> create(BatchProvider provider, CreateBatchBody body, ModelRef model) {
		return call(provider, () -> {
			ProviderDescriptor descriptor = provider.descriptor();
			descriptor.checkEndpoint(provider.name(), body.endpoint());
			descriptor.checkWindow(provider.name(), body.completionWindow());
			descriptor.checkCreateFields(provider.name(), body.passthrough());
			if (body.requests() == null) {
				String fileId = nativeId(provider, "input_file_id", body.inputFileId());
				// Another team's input file is not found, as it is everywhere else.
				return this.ownership.check(Kind.FILE, provider.name(), fileId, body.inputFileId())
					.then(withinQuotas(provider,
							() -> this.ownership.lines(provider.name(), fileId)
								.switchIfEmpty(Mono.defer(() -> fileLines(provider, fileId))),
							() -> createFromFile(provider, body, model, fileId)));
			}
			InlineRequests.check(body.requests(), body.endpoint());
			descriptor.checkRequestCount(provider.name(), body.requests().size(), "requests");
			long requests = body.requests().size();
			if (descriptor.inlineRequests()) {
				return withinQuotas(provider, () -> Mono.just(requests),
						() -> provider.createInlineBatch(new InlineBatch(body.endpoint(), body.completionWindow(),
								model.model(), body.requests(), body.metadata())));
			}
			return withinQuotas(provider, () -> Mono.just(requests), () -> uploadInline(provider, body, model).flatMap(
					(fileId) -> createFromFile(provider, body, model, nativeId(provider, "input_file_id", fileId))));
		});
	}

	/**
	 * A create let through by the caller's quotas, and the batch it made recorded as the
	 * caller's team's, counted against those quotas and watched for its webhooks.
	 * @param provider the provider
	 * @param requests how many requests the batch has
	 * @param create makes the batch
	 * @param shownId the made batch's id as callers see it
	 * @param <T> the batch, in the shape the create answers with
	 * @return the batch
	 */
	public <T> Mono<T> withinQuotas(BatchProvider provider, Supplier<Mono<Long>> requests, Supplier<Mono<T>> create,
			Function<T, String> shownId) {
		return this.quotas.admit(requests).flatMap((admission) -> create.get().flatMap((batch) -> {
			String batchId = nativeId(provider, "batch_id", shownId.apply(batch));
			return this.ownership.claim(Kind.BATCH, provider.name(), batchId, null)
				.then(this.quotas.admitted(admission, provider.name(), batchId))
				.then(CallerHeaders.current()
					.flatMap((caller) -> (caller.gateway() == null) ? Mono.<Void>empty()
							: this.watches.watch(provider.name(), batchId, shownId.apply(batch),
									caller.gateway().team())))
				.thenReturn(batch);
		}));
	}

	private Mono<Batch> withinQuotas(BatchProvider provider, Supplier<Mono<Long>> requests,
			Supplier<Mono<Batch>> create) {
		return withinQuotas(provider, requests, create, Batch::id);
	}

	/**
	 * An input file's requests: as counted when it was uploaded through Ferry, else
	 * counted now as it streams from the provider.
	 */
	private static Mono<Long> fileLines(BatchProvider provider, String fileId) {
		return provider.fileContent(fileId)
			.flatMap((content) -> content.body().reduceWith(() -> new long[] { 0, '\n' }, (state, buffer) -> {
				try {
					for (int i = buffer.readPosition(); i < buffer.writePosition(); i++) {
						if (buffer.getByte(i) == '\n') {
							state[0]++;
						}
					}
					if (buffer.readableByteCount() > 0) {
						state[1] = buffer.getByte(buffer.writePosition() - 1);
					}
					return state;
				}
				finally {
					DataBufferUtils.release(buffer);
				}
			}).map((state) -> state[0] + ((state[1] != '\n') ? 1 : 0)));
	}

	private Mono<Batch> createFromFile(BatchProvider provider, CreateBatchBody body, ModelRef model, String fileId) {
		return provider.createBatch(new CreateBatch(body.endpoint(), body.completionWindow(), fileId, model.model(),
				body.metadata(), body.passthrough()));
	}

	private Mono<String> uploadInline(BatchProvider provider, CreateBatchBody body, ModelRef model) {
		var jsonl = this.inlineRequests.toJsonl(body.requests(), body.endpoint(), model.model());
		Flux<PartEvent> form = Flux.concat(FormPartEvent.create("purpose", "batch"), FilePartEvent.create("file",
				"batch_requests.jsonl", MediaType.parseMediaType("application/jsonl"), jsonl));
		long lines = body.requests().size();
		return provider.uploadFile(form)
			.flatMap((file) -> this.ownership
				.claim(Kind.FILE, provider.name(), nativeId(provider, "file_id", file.id()), lines)
				.thenReturn(file.id()));
	}

	public Mono<Batch> retrieve(BatchProvider provider, String batchId) {
		return owned(provider, Kind.BATCH, batchId, (id) -> provider.retrieveBatch(id).flatMap((batch) -> {
			this.usage.ended(provider, id, batch);
			return withResultFiles(provider, id, batch);
		}));
	}

	/**
	 * A page of batches: the provider's own list, or, for a caller confined to a team,
	 * the team's batches from its index.
	 */
	public Mono<BatchPage> list(BatchProvider provider, PageQuery query) {
		return call(provider, () -> this.ownership.owned(Kind.BATCH, provider.name()).flatMap((owned) -> {
			PageQuery nativeQuery = nativeAfter(provider, query);
			if (owned.isEmpty() || provider.descriptor().unsupported() != null) {
				// A provider that runs no batches refuses the list itself, for every
				// caller.
				return provider.listBatches(nativeQuery);
			}
			return IdPages.page(owned.get(), nativeQuery, provider::retrieveBatch)
				.map((page) -> new BatchPage(page.data(), page.firstId(Batch::id), page.lastId(Batch::id),
						page.hasMore(), null));
		}));
	}

	public Mono<Batch> cancel(BatchProvider provider, String batchId) {
		return owned(provider, Kind.BATCH, batchId, provider::cancelBatch);
	}

	public Mono<BatchDeleted> deleteBatch(BatchProvider provider, String batchId) {
		return owned(provider, Kind.BATCH, batchId, (id) -> provider.deleteBatch(id)
			.flatMap((deleted) -> this.ownership.release(Kind.BATCH, provider.name(), id).thenReturn(deleted)));
	}

	/**
	 * Uploads a file, streaming it, without Ferry's {@code provider} field. What the
	 * fields before the file show is checked before anything goes upstream; the rest, and
	 * the size and line limits, as the file streams.
	 * @param provider the provider
	 * @param form the upload form
	 * @return the created file
	 */
	public Mono<FileObject> upload(BatchProvider provider, UploadForm form) {
		// The lines counted as the file streams through, kept with its owner for quotas.
		AtomicLong lines = new AtomicLong(-1);
		Mono<FileObject> upload = call(provider, () -> {
			UploadForms.checkLeading(provider, form);
			Flux<PartEvent> forwarded = form.events()
				.filter((event) -> !(event instanceof FormPartEvent field && field.name().equals("provider")));
			return provider.uploadFile(
					UploadForms.checked(provider, this.maxUploadBytes, FileParts.normalize(forwarded), lines::set));
		});
		return upload.flatMap(
				(file) -> this.ownership
					.claim(Kind.FILE, provider.name(), nativeId(provider, "file_id", file.id()),
							(lines.get() >= 0) ? lines.get() : null)
					.thenReturn(file));
	}

	/**
	 * A page of files: the provider's own list, or, for a caller confined to a team, the
	 * team's files (uploaded, and its batches' results) from its index.
	 */
	public Mono<FilePage> listFiles(BatchProvider provider, PageQuery query) {
		return call(provider, () -> this.ownership.owned(Kind.FILE, provider.name()).flatMap((owned) -> {
			PageQuery nativeQuery = nativeAfter(provider, query);
			if (owned.isEmpty() || provider.descriptor().unsupported() != null) {
				return provider.listFiles(nativeQuery);
			}
			return IdPages
				.page(owned.get(), nativeQuery, (id) -> provider.retrieveFile(id)
					.filter((file) -> nativeQuery.purpose() == null || nativeQuery.purpose().equals(file.purpose())))
				.map((page) -> new FilePage(page.data(), page.firstId(FileObject::id), page.lastId(FileObject::id),
						page.hasMore(), null));
		}));
	}

	public Mono<FileObject> retrieveFile(BatchProvider provider, String fileId) {
		return owned(provider, Kind.FILE, fileId, provider::retrieveFile);
	}

	public Mono<FileDeleted> deleteFile(BatchProvider provider, String fileId) {
		return owned(provider, Kind.FILE, fileId, (id) -> provider.deleteFile(id)
			.flatMap((deleted) -> this.ownership.release(Kind.FILE, provider.name(), id).thenReturn(deleted)));
	}

	public Mono<FileContent> fileContent(BatchProvider provider, String fileId) {
		return owned(provider, Kind.FILE, fileId, provider::fileContent);
	}

	public Mono<BatchResults> results(BatchProvider provider, String batchId) {
		return owned(provider, Kind.BATCH, batchId, provider::results);
	}

	/**
	 * A call on one object, made only once the caller may reach it: the object's native
	 * id is checked against the team the caller is confined to, if any.
	 */
	private <T> Mono<T> owned(BatchProvider provider, Kind kind, String id, Function<String, Mono<T>> call) {
		return call(provider, () -> {
			String nativeId = nativeId(provider, (kind == Kind.BATCH) ? "batch_id" : "file_id", id);
			return this.ownership.check(kind, provider.name(), nativeId, id)
				.then(Mono.defer(() -> call.apply(nativeId)));
		});
	}

	/**
	 * A batch whose output and error files, once it has them, belong to its team too, as
	 * a gateway caller reads it.
	 */
	private Mono<Batch> withResultFiles(BatchProvider provider, String batchId, Batch batch) {
		List<String> files = Stream.of(batch.outputFileId(), batch.errorFileId())
			.filter(Objects::nonNull)
			.map((fileId) -> nativeId(provider, "file_id", fileId))
			.toList();
		if (files.isEmpty()) {
			return Mono.just(batch);
		}
		return CallerHeaders.current()
			.flatMap((caller) -> (caller.gateway() == null) ? Mono.<Void>empty()
					: this.ownership.inherit(provider.name(), batchId, files))
			.thenReturn(batch);
	}

	/**
	 * Runs a provider call lazily, so argument checks fail inside the stream, and
	 * attributes its failures, whatever they are, to the provider.
	 */
	private static <T> Mono<T> call(BatchProvider provider, Supplier<Mono<T>> call) {
		return Mono.defer(call).onErrorMap((error) -> ApiErrors.from(error).withProvider(provider.name()));
	}

	private static PageQuery nativeAfter(BatchProvider provider, PageQuery query) {
		return (query.after() != null) ? query.withAfter(nativeId(provider, "after", query.after())) : query;
	}

	private static String nativeId(BatchProvider provider, String param, String id) {
		return FerryIds.nativeId(provider, param, id);
	}

}
