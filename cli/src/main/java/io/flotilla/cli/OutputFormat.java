package io.flotilla.cli;

/** The choices of {@code --output}: for people, or for scripts. */
public enum OutputFormat {
    table, json
}
