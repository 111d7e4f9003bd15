package dev.ferry.dialect.unified;

import java.util.List;
import java.util.Locale;
import java.util.TreeSet;

import com.fasterxml.jackson.annotation.JsonInclude;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.annotation.JsonNaming;

import dev.ferry.batch.BatchProvider;
import dev.ferry.batch.ProviderDescriptor;
import dev.ferry.batch.ProviderRegistry;

/**
 * One configured provider and what it can do, as {@code GET /v1/providers} lists it;
 * never its keys.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_NULL)
record UnifiedProvider(String name, String family, String format, @Nullable String baseUrl, boolean nativeBatches,
		String files, boolean inlineRequests, List<String> endpoints, String completionWindows, String idPattern,
		@Nullable Long maxRequestsPerFile, @Nullable Long maxFileBytes, String auth, boolean keyConfigured,
		boolean listFilteredServerSide, List<String> refusedCreateFields, List<String> refusedUploadFields,
		boolean cancels) {

	static UnifiedProvider of(BatchProvider provider, ProviderRegistry registry) {
		ProviderDescriptor descriptor = provider.descriptor();
		return new UnifiedProvider(provider.name(), descriptor.family(), lower(descriptor.format()),
				(registry.baseUrl(provider.name()) != null) ? registry.baseUrl(provider.name()).toString() : null,
				descriptor.nativeBatches(), descriptor.filesApi() ? "provider" : "ferry", descriptor.inlineRequests(),
				List.copyOf(new TreeSet<>(descriptor.endpoints())), descriptor.windows().describe(),
				descriptor.idPattern().pattern(), positive(descriptor.maxLines()), positive(descriptor.maxFileBytes()),
				lower(descriptor.auth()).replace('_', '-'), registry.keyed(provider.name()),
				descriptor.listFilteredServerSide(), List.copyOf(new TreeSet<>(descriptor.refusedCreateFields())),
				List.copyOf(new TreeSet<>(descriptor.refusedUploadFields())), descriptor.cancels());
	}

	private static String lower(Enum<?> value) {
		return value.name().toLowerCase(Locale.ROOT);
	}

	private static @Nullable Long positive(long value) {
		return (value > 0) ? value : null;
	}

}
