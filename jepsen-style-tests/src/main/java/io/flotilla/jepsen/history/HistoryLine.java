package io.flotilla.jepsen.history;

/** An entry with its line number in the history (1-based), as reports cite it. */
public record HistoryLine(long line, HistoryEntry entry) {
}
