package dev.ferry.config;

import java.nio.file.Path;
import java.util.Map;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * Ferry's configuration, under the {@code ferry} prefix.
 *
 * @param providers the upstream providers by name; the name is what callers use to pick
 * one
 * @param files limits on files passing through Ferry
 * @param storage where Ferry keeps the bytes it holds itself
 * @param defaultProvider the provider of the OpenAI dialect when a request names none;
 * when unset, {@code openai} if it has a key configured, else {@code sandbox}
 */
@Validated
@ConfigurationProperties("ferry")
public record FerryProperties(@NotEmpty Map<String, @Valid ProviderProperties> providers,
		@DefaultValue @Valid Files files, @DefaultValue @Valid Storage storage, @Nullable String defaultProvider) {

	/**
	 * Limits on files and request bodies.
	 *
	 * @param maxUploadSize the largest file accepted by {@code POST /files}
	 * @param maxRequestBody the largest JSON body accepted by a create call (inline
	 * requests travel in it)
	 * @param maxLineSize the longest JSONL line Ferry reads or writes
	 */
	public record Files(@DefaultValue("512MB") DataSize maxUploadSize, @DefaultValue("64MB") DataSize maxRequestBody,
			@DefaultValue("32MB") DataSize maxLineSize) {
	}

	/**
	 * The local blob store.
	 *
	 * @param path the directory under which Ferry writes its blobs
	 */
	public record Storage(@NotNull Path path) {
	}

}
