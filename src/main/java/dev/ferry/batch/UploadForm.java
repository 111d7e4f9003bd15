package dev.ferry.batch;

import java.util.Map;

import reactor.core.publisher.Flux;

import org.springframework.http.codec.multipart.PartEvent;

/**
 * An upload form as it arrives: the form fields before its first part that is not a
 * field, read before anything goes upstream, and every event, those fields included.
 *
 * @param leadingFields the fields before the first other part, in order
 * @param partFollows whether another part (normally the file) came after them
 * @param events the whole form, to be streamed
 */
public record UploadForm(Map<String, String> leadingFields, boolean partFollows, Flux<PartEvent> events) {
}
