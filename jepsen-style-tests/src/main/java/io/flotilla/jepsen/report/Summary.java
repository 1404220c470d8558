package io.flotilla.jepsen.report;

import io.flotilla.jepsen.checker.AnomalyKind;
import io.flotilla.jepsen.checker.CheckResult;
import io.flotilla.jepsen.checker.HistoryStats;
import io.flotilla.jepsen.history.Action;
import io.flotilla.jepsen.history.OpType;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The one line a run prints, e.g. {@code jepsen: 12034 ops (send 9000 ok/2 fail/3 info, poll
 * 3000 ok, ...), 14 faults (kill 5, partition 5, pause 4), anomalies: none}.
 */
public final class Summary {
    private Summary() {
    }

    public static String line(CheckResult result) {
        HistoryStats stats = result.stats();
        List<String> ops = new ArrayList<>();
        for (Action.Kind kind : Action.Kind.values()) {
            if (stats.count(kind, OpType.INVOKE) == 0) {
                continue;
            }
            List<String> outcomes = new ArrayList<>();
            for (OpType type : List.of(OpType.OK, OpType.FAIL, OpType.INFO)) {
                long n = stats.count(kind, type);
                if (n > 0) {
                    outcomes.add(n + " " + type.label());
                }
            }
            ops.add(kind.label() + " " + String.join("/", outcomes));
        }
        String faults = stats.faultCount() + " faults" + (stats.faultCount() == 0 ? "" : stats.faults().entrySet()
                .stream().map(e -> e.getKey() + " " + e.getValue()).collect(Collectors.joining(", ", " (", ")")));
        String anomalies = result.valid() ? "none" : result.found().stream()
                .map(k -> k.label() + " " + result.count(k)).collect(Collectors.joining(", "));
        return "jepsen: " + stats.operations() + " ops (" + String.join(", ", ops) + "), " + faults
                + ", anomalies: " + anomalies
                + (result.finalReads() ? "" : " (no final reads: " + AnomalyKind.UNSEEN.label() + " and "
                + AnomalyKind.DIVERGENCE.label() + " not checked)");
    }
}
