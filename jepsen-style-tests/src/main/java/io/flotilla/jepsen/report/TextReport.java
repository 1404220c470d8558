package io.flotilla.jepsen.report;

import io.flotilla.jepsen.checker.Anomaly;
import io.flotilla.jepsen.checker.AnomalyKind;
import io.flotilla.jepsen.checker.CheckResult;
import io.flotilla.jepsen.history.FinalRead;
import io.flotilla.jepsen.history.HistoryEntry;
import io.flotilla.jepsen.history.HistoryLine;
import io.flotilla.jepsen.history.HistoryWriter;
import io.flotilla.jepsen.history.Message;
import io.flotilla.jepsen.history.Op;
import io.flotilla.jepsen.history.Poll;

import java.util.ArrayList;
import java.util.List;

/**
 * The checker's findings for a reader: the summary line, then per anomaly kind found its count,
 * what it means, and the first examples with the history lines involved.
 */
public final class TextReport {
    /** A read longer than this is shown by its first and last few messages. */
    private static final int MESSAGES_SHOWN = 6;

    private TextReport() {
    }

    public static String render(CheckResult result) {
        StringBuilder b = new StringBuilder(Summary.line(result)).append('\n');
        if (result.valid()) {
            return b.append("\nNo anomalies.\n").toString();
        }
        for (AnomalyKind kind : result.found()) {
            b.append('\n').append(kind.label()).append(": ").append(result.count(kind)).append(" (")
                    .append(kind.brief()).append(")\n");
            List<Anomaly> examples = result.examples(kind);
            for (Anomaly a : examples) {
                b.append("  - ").append(a.description()).append('\n');
                for (HistoryLine op : a.ops()) {
                    b.append("      line ").append(op.line()).append(": ").append(brief(op.entry())).append('\n');
                }
            }
            if (result.count(kind) > examples.size()) {
                b.append("  (").append(result.count(kind) - examples.size()).append(" more)\n");
            }
        }
        return b.toString();
    }

    /** The entry's history line, long reads cut to their first and last messages. */
    static String brief(HistoryEntry entry) {
        if (!(entry instanceof Op op)) {
            return HistoryWriter.toJson(entry);
        }
        List<Message> messages = op.action() instanceof Poll p ? p.messages()
                : op.action() instanceof FinalRead r ? r.messages() : List.of();
        if (messages.size() <= MESSAGES_SHOWN) {
            return HistoryWriter.toJson(entry);
        }
        List<Message> shown = new ArrayList<>(messages.subList(0, MESSAGES_SHOWN / 2));
        shown.addAll(messages.subList(messages.size() - MESSAGES_SHOWN / 2, messages.size()));
        Op cut = new Op(op.time(), op.wall(), op.process(), op.type(), op.action() instanceof Poll p
                ? new Poll(p.partition(), shown)
                : new FinalRead(((FinalRead) op.action()).node(), op.action().partition(), shown));
        return HistoryWriter.toJson(cut) + " (first and last " + MESSAGES_SHOWN / 2 + " of " + messages.size()
                + " messages)";
    }
}
