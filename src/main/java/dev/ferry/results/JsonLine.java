package dev.ferry.results;

/**
 * One non-blank line of a JSONL stream.
 *
 * @param number the 1-based line number in the stream, counting blank lines
 * @param text the line without its line terminator
 */
public record JsonLine(long number, String text) {
}
