package dev.ferry.dialect;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import dev.ferry.batch.UploadForm;

import org.springframework.http.codec.multipart.FormPartEvent;
import org.springframework.http.codec.multipart.PartEvent;

/**
 * Reads the form fields of a multipart stream that come before its first file part, so a
 * {@code provider} field can route the upload while the file itself still streams.
 */
public final class LeadingFormFields {

	private LeadingFormFields() {
	}

	/**
	 * Peeks at the leading form fields, then hands on every event, those fields included.
	 * @param <T> the result type
	 * @param events the multipart events, subscribed to once
	 * @param then receives the form: its leading fields, whether a part follows them, and
	 * the whole event stream
	 * @return what {@code then} returns
	 */
	public static <T> Mono<T> peek(Flux<PartEvent> events, Function<UploadForm, Mono<T>> then) {
		return peek(events, new LinkedHashMap<>(), new ArrayList<>(), then);
	}

	private static <T> Mono<T> peek(Flux<PartEvent> events, Map<String, String> fields, List<PartEvent> seen,
			Function<UploadForm, Mono<T>> then) {
		return events.switchOnFirst((signal, all) -> {
			PartEvent first = signal.get();
			if (first instanceof FormPartEvent form) {
				fields.put(form.name(), form.value());
				seen.add(form);
				return peek(all.skip(1), fields, seen, then).flux();
			}
			if (first != null) {
				seen.add(first);
			}
			// The rest is read later, once the provider has a connection: switchOnFirst's
			// own replay of its first element does not survive that late subscription, so
			// the first element is re-emitted here and skipped from the source.
			return then
				.apply(new UploadForm(fields, first != null,
						Flux.concat(Flux.fromIterable(seen), all.skip((first != null) ? 1 : 0))))
				.flux();
		}).next();
	}

}
