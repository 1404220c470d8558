package io.flotilla.jepsen.checker;

import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What the {@link Checker} found: how many of each anomaly, the first few examples of each (in
 * history order), the history's statistics, and whether it had final reads (without them
 * {@link AnomalyKind#UNSEEN} and {@link AnomalyKind#DIVERGENCE} cannot be checked).
 */
public record CheckResult(HistoryStats stats, Map<AnomalyKind, Long> counts,
                          Map<AnomalyKind, List<Anomaly>> examples, boolean finalReads) {
    public CheckResult {
        counts = Map.copyOf(counts);
        examples = Map.copyOf(examples);
    }

    public long count(AnomalyKind kind) {
        return counts.getOrDefault(kind, 0L);
    }

    public List<Anomaly> examples(AnomalyKind kind) {
        return examples.getOrDefault(kind, List.of());
    }

    /** The kinds found at least once, in declaration order. */
    public Set<AnomalyKind> found() {
        EnumSet<AnomalyKind> found = EnumSet.noneOf(AnomalyKind.class);
        for (AnomalyKind k : AnomalyKind.values()) {
            if (count(k) > 0) {
                found.add(k);
            }
        }
        return found;
    }

    /** True if no anomaly was found. */
    public boolean valid() {
        return found().isEmpty();
    }

    static Map<AnomalyKind, Long> zeroCounts() {
        Map<AnomalyKind, Long> counts = new EnumMap<>(AnomalyKind.class);
        for (AnomalyKind k : AnomalyKind.values()) {
            counts.put(k, 0L);
        }
        return counts;
    }
}
