package io.flotilla.cli;

import picocli.CommandLine.Option;

/** {@code --output}, on every command that prints data. */
public final class OutputOption {

    @Option(names = "--output", paramLabel = "table|json", defaultValue = "table",
            description = "table (default): for people; json: one JSON object per line, for scripts.")
    private OutputFormat format;

    public boolean json() {
        return format == OutputFormat.json;
    }
}
