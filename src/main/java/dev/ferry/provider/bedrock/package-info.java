/**
 * AWS Bedrock batch inference: requests in the model's own body, written to S3, run as
 * model invocation jobs, and read back from the job's {@code .jsonl.out} objects.
 */
@NullMarked
package dev.ferry.provider.bedrock;

import org.jspecify.annotations.NullMarked;
