package io.flotilla.jepsen.checker;

import io.flotilla.jepsen.history.History;
import io.flotilla.jepsen.history.HistoryEntry;
import io.flotilla.jepsen.history.HistoryLine;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Counts anomalies and keeps the first few of each kind (by the earliest line involved), as
 * line numbers: the entries are fetched in one last pass, so no pass holds more than it needs.
 */
final class Findings {
    private record Pending(int partition, String description, long[] lines) {
        long first() {
            return lines.length == 0 ? Long.MAX_VALUE : lines[0];
        }
    }

    private static final Comparator<Pending> HISTORY_ORDER =
            Comparator.comparingLong(Pending::first).thenComparing(Pending::description);

    private final int examplesPerKind;
    private final Map<AnomalyKind, Long> counts = CheckResult.zeroCounts();
    private final Map<AnomalyKind, List<Pending>> pending = new EnumMap<>(AnomalyKind.class);

    Findings(int examplesPerKind) {
        this.examplesPerKind = examplesPerKind;
    }

    /** One anomaly; {@code lines} are the entries involved (negative ones are ignored). */
    void add(AnomalyKind kind, int partition, String description, long... lines) {
        counts.merge(kind, 1L, Long::sum);
        long[] involved = Arrays.stream(lines).filter(l -> l > 0).sorted().distinct().toArray();
        List<Pending> examples = pending.computeIfAbsent(kind, k -> new ArrayList<>());
        examples.add(new Pending(partition, description, involved));
        examples.sort(HISTORY_ORDER);
        if (examples.size() > examplesPerKind) {
            examples.remove(examples.size() - 1);
        }
    }

    Map<AnomalyKind, Long> counts() {
        return counts;
    }

    /** The examples with their entries, read from {@code history}. */
    Map<AnomalyKind, List<Anomaly>> resolve(History history) throws IOException {
        Map<Long, HistoryEntry> wanted = new HashMap<>();
        pending.values().forEach(list -> list.forEach(p -> Arrays.stream(p.lines()).forEach(l -> wanted.put(l, null))));
        if (!wanted.isEmpty()) {
            history.forEach((entry, line) -> {
                if (wanted.containsKey(line)) {
                    wanted.put(line, entry);
                }
            });
        }
        Map<AnomalyKind, List<Anomaly>> examples = new EnumMap<>(AnomalyKind.class);
        pending.forEach((kind, list) -> examples.put(kind, list.stream().map(p -> new Anomaly(kind, p.partition(),
                p.description(), Arrays.stream(p.lines()).mapToObj(l -> new HistoryLine(l, wanted.get(l))).toList()))
                .toList()));
        return examples;
    }
}
