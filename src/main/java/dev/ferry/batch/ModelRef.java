package dev.ferry.batch;

import java.util.Set;

import org.jspecify.annotations.Nullable;

/**
 * A model as the caller wrote it, split into an optional provider prefix and the model.
 *
 * <p>
 * Only a prefix naming a configured provider counts: {@code meta-llama/Llama-3} stays one
 * model name unless a provider is called {@code meta-llama}.
 *
 * @param provider the provider named by the prefix, or {@code null}
 * @param model the model without the prefix, or {@code null} when none was given
 */
public record ModelRef(@Nullable String provider, @Nullable String model) {

	/**
	 * Splits a model.
	 * @param requested the model as written, possibly {@code null}
	 * @param providers the configured provider names
	 * @return the parts
	 */
	public static ModelRef parse(@Nullable String requested, Set<String> providers) {
		if (requested == null) {
			return new ModelRef(null, null);
		}
		int slash = requested.indexOf('/');
		if (slash > 0 && providers.contains(requested.substring(0, slash))) {
			return new ModelRef(requested.substring(0, slash), requested.substring(slash + 1));
		}
		return new ModelRef(null, requested);
	}

}
