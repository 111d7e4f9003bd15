package dev.ferry.dialect.unified;

import com.fasterxml.jackson.annotation.JsonInclude;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.annotation.JsonNaming;

import dev.ferry.batch.FileObject;

/**
 * The unified file object.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_NULL)
record UnifiedFile(String id, String object, long bytes, long createdAt, @Nullable Long expiresAt, String filename,
		String purpose, @Nullable String status, ExtraFields extraFields, @Nullable JsonNode rawResponse) {

	static UnifiedFile of(FileObject file, ExtraFields extra, boolean includeRaw) {
		return new UnifiedFile(file.id(), "file", file.bytes(), file.createdAt(), file.expiresAt(), file.filename(),
				file.purpose(), file.status(), extra, includeRaw ? file.rawResponse() : null);
	}

}
