package dev.ferry.dialect;

import java.util.Map;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.http.MediaType;
import org.springframework.http.codec.multipart.FilePartEvent;
import org.springframework.http.codec.multipart.FormPartEvent;
import org.springframework.http.codec.multipart.PartEvent;

import static org.assertj.core.api.Assertions.assertThat;

class LeadingFormFieldsTests {

	@Test
	void readsFieldsBeforeTheFileAndHandsOnEveryEvent() {
		Flux<PartEvent> events = Flux.concat(FormPartEvent.create("provider", "sandbox"),
				FormPartEvent.create("purpose", "batch"), file("abc"), FormPartEvent.create("after", "x"));
		StepVerifier.create(LeadingFormFields.peek(events, (form) -> {
			assertThat(form.leadingFields()).containsExactly(Map.entry("provider", "sandbox"),
					Map.entry("purpose", "batch"));
			assertThat(form.partFollows()).isTrue();
			return form.events().map(PartEvent::name).distinctUntilChanged().collectList();
		})).expectNext(List.of("provider", "purpose", "file", "after")).expectComplete().verify(Duration.ofSeconds(5));
	}

	@Test
	void keepsTheFirstEventWhenTheRestIsReadLaterAfterTheSourceEnded() {
		// The provider subscribes only once it has a connection, by when a small form
		// has been read completely.
		assertNamesReadLater(Flux.from(file("only part")), List.of("file"));
	}

	@Test
	void keepsAFieldOnlyFormWhenReadLater() {
		assertNamesReadLater(Flux.concat(FormPartEvent.create("purpose", "batch")), List.of("purpose"));
	}

	@Test
	void keepsTheFirstEventForAFilteringConsumerThatSubscribesLater() {
		assertNamesReadLater(Flux.concat(file("abc"), FormPartEvent.create("purpose", "batch")),
				List.of("file", "purpose"));
	}

	@Test
	void tellsAFieldOnlyFormFromOneWithAFile() {
		StepVerifier
			.create(LeadingFormFields.peek(Flux.concat(FormPartEvent.create("purpose", "batch")),
					(form) -> Mono.just(form.partFollows())))
			.expectNext(false)
			.expectComplete()
			.verify(Duration.ofSeconds(5));
	}

	private static void assertNamesReadLater(Flux<PartEvent> events, List<String> expected) {
		StepVerifier.create(LeadingFormFields.peek(events,
				(form) -> Mono.delay(Duration.ofMillis(100))
					.thenMany(form.events().filter((event) -> !event.name().equals("provider")))
					.map(PartEvent::name)
					.distinctUntilChanged()
					.collectList()))
			.expectNext(expected)
			.expectComplete()
			.verify(Duration.ofSeconds(5));
	}

	private static Flux<FilePartEvent> file(String content) {
		return FilePartEvent.create("file", "in.jsonl", MediaType.APPLICATION_OCTET_STREAM,
				Flux.just(DefaultDataBufferFactory.sharedInstance.wrap(content.getBytes())));
	}

}
