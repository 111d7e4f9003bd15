/**
 * Cohere's batches (chat requests) and embed jobs (embedding requests), both on datasets:
 * the requests translated into Cohere's shapes and uploaded as a dataset, the results
 * read from the output dataset's Avro parts and translated back.
 */
@NullMarked
package dev.ferry.provider.cohere;

import org.jspecify.annotations.NullMarked;
