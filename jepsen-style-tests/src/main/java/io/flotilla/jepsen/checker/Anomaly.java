package io.flotilla.jepsen.checker;

import io.flotilla.jepsen.history.HistoryLine;

import java.util.List;

/** One example of an anomaly: what was seen, and the history entries involved. */
public record Anomaly(AnomalyKind kind, int partition, String description, List<HistoryLine> ops) {
    public Anomaly {
        ops = List.copyOf(ops);
    }
}
