package dev.ferry.storage;

/**
 * The version of a blob as its store reported it: an S3 ETag, or the local store's file
 * identity. Opaque: compared verbatim, never parsed.
 *
 * @param value the store's version token
 */
public record BlobVersion(String value) {

}
