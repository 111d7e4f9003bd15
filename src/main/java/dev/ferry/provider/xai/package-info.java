/**
 * xAI's batches: OpenAI input lines, counters instead of a status, and results read page
 * after page.
 */
@NullMarked
package dev.ferry.provider.xai;

import org.jspecify.annotations.NullMarked;
