package dev.ferry.results;

/**
 * The mark of a complete spool: written once, after its last segment.
 *
 * @param length the bytes of the results
 * @param segmentBytes the size of every segment but the last
 * @param completedAt when the download finished, in epoch milliseconds
 */
record SpoolIndex(long length, int segmentBytes, long completedAt) {

}
