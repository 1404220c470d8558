package io.flotilla.jepsen.checker;

import io.flotilla.jepsen.history.Action;
import io.flotilla.jepsen.history.OpType;

import java.util.Collections;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * What a history holds: operations by function and outcome (an invocation never completed
 * counts as INFO), and faults started, by kind.
 */
public final class HistoryStats {
    private final long[][] counts = new long[Action.Kind.values().length][OpType.values().length];
    private final SortedMap<String, Long> faults = new TreeMap<>();

    HistoryStats() {
    }

    void operation(Action.Kind kind, OpType type) {
        counts[kind.ordinal()][type.ordinal()]++;
    }

    void faultStarted(String kind) {
        faults.merge(kind, 1L, Long::sum);
    }

    /** Operations of {@code kind} with this outcome; INVOKE counts the operations. */
    public long count(Action.Kind kind, OpType type) {
        return counts[kind.ordinal()][type.ordinal()];
    }

    /** All operations (invocations). */
    public long operations() {
        long n = 0;
        for (Action.Kind k : Action.Kind.values()) {
            n += count(k, OpType.INVOKE);
        }
        return n;
    }

    /** Faults started, by kind, in name order. */
    public SortedMap<String, Long> faults() {
        return Collections.unmodifiableSortedMap(faults);
    }

    public long faultCount() {
        return faults.values().stream().mapToLong(Long::longValue).sum();
    }
}
