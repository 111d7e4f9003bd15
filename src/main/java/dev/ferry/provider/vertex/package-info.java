/**
 * Vertex AI batch prediction: requests translated for Gemini or Claude models, staged in
 * a Cloud Storage bucket, run as batch prediction jobs with an OAuth token, and read back
 * from every output shard.
 */
@NullMarked
package dev.ferry.provider.vertex;

import org.jspecify.annotations.NullMarked;
