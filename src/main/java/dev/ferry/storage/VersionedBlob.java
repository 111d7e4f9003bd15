package dev.ferry.storage;

/**
 * A small blob read whole, with the version its bytes belong to.
 *
 * @param bytes the content
 * @param version the version, for a later {@link BlobStore#replace compare-and-swap}
 */
public record VersionedBlob(byte[] bytes, BlobVersion version) {

}
