package dev.ferry.results;

/**
 * One non-blank line of a JSONL stream.
 *
 * @param number the 1-based line number in the stream, counting blank lines
 * @param text the line without its line terminator
 * @param end the byte offset just past the line and its terminator, where reading resumes
 * after it
 */
public record JsonLine(long number, String text, long end) {
}
