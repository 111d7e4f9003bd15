package dev.ferry.provider.jobs;

import tools.jackson.databind.node.ObjectNode;

/**
 * One result of a job as an OpenAI batch output line ({@code {id, custom_id, response,
 * error}}).
 *
 * @param succeeded whether it belongs in the output file (otherwise the error file)
 * @param line the line
 */
public record ResultLine(boolean succeeded, ObjectNode line) {
}
