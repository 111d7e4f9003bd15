/**
 * Request and result lines between formats, always through one pivot: OpenAI
 * `chat.completions` request and result lines.
 */
@NullMarked
package dev.ferry.translate;

import org.jspecify.annotations.NullMarked;
