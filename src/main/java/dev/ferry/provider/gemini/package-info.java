/**
 * Gemini's batch mode: requests translated into {@code GenerateContentRequest}s, uploaded
 * as a JSONL file with the File API's resumable protocol, run as batch operations, and
 * read back from the responses file.
 */
@NullMarked
package dev.ferry.provider.gemini;

import org.jspecify.annotations.NullMarked;
