package dev.ferry.provider.sandbox;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import dev.ferry.batch.Batch;
import dev.ferry.batch.BatchPage;
import dev.ferry.batch.BatchProvider;
import dev.ferry.batch.CreateBatch;
import dev.ferry.batch.FileContent;
import dev.ferry.batch.FileDeleted;
import dev.ferry.batch.FileObject;
import dev.ferry.batch.FilePage;
import dev.ferry.batch.PageQuery;
import dev.ferry.batch.ProviderDescriptor;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.MediaType;
import org.springframework.http.codec.multipart.PartEvent;

/**
 * The in-process simulated provider: OpenAI-style files and batches, run by the clock,
 * with deterministic echo results. State lives in this process; uploaded bytes live in
 * the blob store.
 */
final class SandboxProvider implements BatchProvider {

	private static final MediaType JSONL = MediaType.parseMediaType("application/jsonl");

	private final String name;

	private final SandboxFiles files;

	private final SandboxBatches batches;

	SandboxProvider(String name, SandboxFiles files, SandboxBatches batches) {
		this.name = name;
		this.files = files;
		this.batches = batches;
	}

	@Override
	public String name() {
		return this.name;
	}

	@Override
	public ProviderDescriptor descriptor() {
		return SandboxFamily.DESCRIPTOR;
	}

	@Override
	public Mono<Batch> createBatch(CreateBatch request) {
		return Mono.defer(() -> this.batches.create(request));
	}

	@Override
	public Mono<Batch> retrieveBatch(String batchId) {
		return this.batches.retrieve(batchId);
	}

	@Override
	public Mono<BatchPage> listBatches(PageQuery query) {
		return this.batches.list(query);
	}

	@Override
	public Mono<Batch> cancelBatch(String batchId) {
		return this.batches.cancel(batchId);
	}

	@Override
	public Mono<FileObject> uploadFile(Flux<PartEvent> parts) {
		return this.files.upload(parts).map(this::toFileObject);
	}

	@Override
	public Mono<FilePage> listFiles(PageQuery query) {
		return this.files.list(query).map((page) -> {
			var data = page.items().stream().map(this::toFileObject).toList();
			return new FilePage(data, data.isEmpty() ? null : data.get(0).id(),
					data.isEmpty() ? null : data.get(data.size() - 1).id(), page.hasMore(), null);
		});
	}

	@Override
	public Mono<FileObject> retrieveFile(String fileId) {
		return this.files.get(fileId).map(this::toFileObject);
	}

	@Override
	public Mono<FileDeleted> deleteFile(String fileId) {
		return Mono.defer(() -> this.files.delete(fileId)).map((file) -> new FileDeleted(file.id(), true, null));
	}

	@Override
	public Mono<FileContent> fileContent(String fileId) {
		return this.files.get(fileId).map((file) -> {
			Flux<DataBuffer> body = (file.kind() == SandboxFile.Kind.UPLOAD) ? this.files.uploadedContent(file.id())
					: this.batches.content(file);
			return new FileContent(JSONL, file.bytes(), body);
		});
	}

	private FileObject toFileObject(SandboxFile file) {
		return new FileObject(file.id(), this.name, file.bytes(), file.createdAt(), null, file.filename(),
				file.purpose(), "processed", null);
	}

}
