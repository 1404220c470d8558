package io.flotilla.cli;

import java.io.InputStream;
import java.io.PrintStream;
import java.util.Map;

/**
 * What a command reads and writes besides its arguments, so tests can run commands in-process.
 *
 * @param in standard input (records to produce)
 * @param out standard output: results, and consumed records as raw bytes
 * @param err standard error: one-line errors and warnings
 * @param env the environment ({@code FLOTILLA_BOOTSTRAP})
 */
public record CliContext(InputStream in, PrintStream out, PrintStream err, Map<String, String> env) {

    /** Where a progress line that rewrites itself goes: standard error on a terminal, else nowhere (null). */
    public PrintStream progress() {
        return System.console() != null ? err : null;
    }

    public static CliContext system() {
        return new CliContext(System.in, System.out, System.err, System.getenv());
    }
}
