package dev.ferry.provider.unsupported;

import java.net.URI;

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
import dev.ferry.batch.ProviderFamily;
import dev.ferry.config.ProviderProperties;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.codec.multipart.PartEvent;

/**
 * ElevenLabs and Runway: their APIs have no text endpoint a batch of OpenAI-shaped
 * requests could run (ElevenLabs turns text into speech and speech into text; Runway
 * generates images and video, each call already an asynchronous task), so every batch
 * call is refused with {@code unsupported_operation}, saying what to do instead.
 */
@Configuration(proxyBeanMethods = false)
class UnsupportedFamilies {

	@Bean
	ProviderFamily elevenlabsFamily() {
		return family("elevenlabs", "https://api.elevenlabs.io/v1",
				"ElevenLabs' API turns text into speech and speech into text; it has no chat, completion, embedding "
						+ "or responses endpoint, which is what Ferry runs batches on (natively, or itself against a "
						+ "synchronous API). Call ElevenLabs directly, or batch text generation on another provider");
	}

	@Bean
	ProviderFamily runwayFamily() {
		return family("runway", "https://api.dev.runwayml.com/v1",
				"Runway's API generates images and video, each call already an asynchronous task polled at "
						+ "/v1/tasks/{id}; it has no chat, completion, embedding or responses endpoint, which is what "
						+ "Ferry runs batches on. Create Runway tasks directly, or batch text generation on another "
						+ "provider");
	}

	private static ProviderFamily family(String name, String baseUrl, String why) {
		ProviderDescriptor descriptor = ProviderDescriptor.builder(name)
			.nativeBatches(false)
			.filesApi(false)
			.endpoints()
			.cancels(false)
			.unsupported(why)
			.build();
		return new ProviderFamily() {

			@Override
			public ProviderDescriptor descriptor() {
				return descriptor;
			}

			@Override
			public URI defaultBaseUrl() {
				return URI.create(baseUrl);
			}

			@Override
			public BatchProvider create(String provider, ProviderProperties properties) {
				return new Refusing(provider, descriptor);
			}

		};
	}

	/** Answers every call with the family's {@code unsupported_operation}. */
	private record Refusing(String name, ProviderDescriptor descriptor) implements BatchProvider {

		private <T> Mono<T> refuse() {
			return Mono.error(this.descriptor.unsupported(this.name));
		}

		@Override
		public Mono<Batch> createBatch(CreateBatch request) {
			return refuse();
		}

		@Override
		public Mono<Batch> retrieveBatch(String batchId) {
			return refuse();
		}

		@Override
		public Mono<BatchPage> listBatches(PageQuery query) {
			return refuse();
		}

		@Override
		public Mono<Batch> cancelBatch(String batchId) {
			return refuse();
		}

		@Override
		public Mono<FileObject> uploadFile(Flux<PartEvent> parts) {
			return refuse();
		}

		@Override
		public Mono<FilePage> listFiles(PageQuery query) {
			return refuse();
		}

		@Override
		public Mono<FileObject> retrieveFile(String fileId) {
			return refuse();
		}

		@Override
		public Mono<FileDeleted> deleteFile(String fileId) {
			return refuse();
		}

		@Override
		public Mono<FileContent> fileContent(String fileId) {
			return refuse();
		}

	}

}
