package io.flotilla.jepsen.report;

import io.flotilla.jepsen.history.Action;
import io.flotilla.jepsen.history.Fault;
import io.flotilla.jepsen.history.History;
import io.flotilla.jepsen.history.HistoryEntry;
import io.flotilla.jepsen.history.HistoryLine;
import io.flotilla.jepsen.history.Invocations;
import io.flotilla.jepsen.history.Op;
import io.flotilla.jepsen.history.OpType;
import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;

/**
 * A run over time, second by second (by completion time): OK sends and polls, their latencies
 * (invocation to completion), and when each fault was active.
 */
public final class Timeline {
    /** The functions charted: what the workload does over and over. */
    public static final List<Action.Kind> CHARTED = List.of(Action.Kind.SEND, Action.Kind.POLL);

    /** A fault active from {@code start} to {@code stop} (nanoseconds of the run). */
    public record FaultInterval(String kind, List<Integer> targets, long start, long stop) {
        public FaultInterval {
            targets = List.copyOf(targets);
        }
    }

    private static final class Second {
        final long[] ok = new long[CHARTED.size()];
        final Histogram[] latencyMicros = new Histogram[CHARTED.size()];
    }

    private final List<Second> seconds = new ArrayList<>();
    private final List<FaultInterval> faults = new ArrayList<>();
    private final List<Fault> open = new ArrayList<>();
    private final Invocations invocations = new Invocations();
    private long end;

    private Timeline() {
    }

    public static Timeline of(History history) throws IOException {
        Timeline t = new Timeline();
        history.forEach(t::accept);
        for (Fault f : t.open) {
            t.faults.add(new FaultInterval(f.kind(), f.targets(), f.time(), t.end));
        }
        t.faults.sort(Comparator.comparingLong(FaultInterval::start));
        return t;
    }

    /** Seconds covered: the run's length, rounded up. */
    public int seconds() {
        return seconds.size();
    }

    public long durationNanos() {
        return end;
    }

    /** OK operations of a {@link #CHARTED} kind completed in second {@code s}. */
    public long ok(Action.Kind kind, int s) {
        return seconds.get(s).ok[CHARTED.indexOf(kind)];
    }

    /** The latency at {@code percentile} (0-100) of those operations, in milliseconds; NaN if none. */
    public double latencyMillis(Action.Kind kind, int s, double percentile) {
        Histogram h = seconds.get(s).latencyMicros[CHARTED.indexOf(kind)];
        return h == null ? Double.NaN : h.getValueAtPercentile(percentile) / 1000.0;
    }

    /** Every fault, by start time; one never stopped lasts to the end of the run. */
    public List<FaultInterval> faults() {
        return Collections.unmodifiableList(faults);
    }

    private void accept(HistoryEntry entry, long line) {
        end = Math.max(end, entry.time());
        Second second = second(entry.time());
        if (entry instanceof Fault f) {
            fault(f);
            return;
        }
        Op op = (Op) entry;
        HistoryLine invoked = invocations.accept(op, line);
        int charted = CHARTED.indexOf(op.action().kind());
        if (op.type() != OpType.OK || charted < 0) {
            return;
        }
        second.ok[charted]++;
        if (second.latencyMicros[charted] == null) {
            second.latencyMicros[charted] = new Histogram(2);
        }
        second.latencyMicros[charted].recordValue(Math.max(0, (op.time() - invoked.entry().time()) / 1000));
    }

    private void fault(Fault f) {
        if (f.edge() == Fault.Edge.START) {
            open.add(f);
            return;
        }
        for (int i = 0; i < open.size(); i++) {
            Fault started = open.get(i);
            if (started.kind().equals(f.kind()) && (f.targets().isEmpty() || started.targets().equals(f.targets()))) {
                faults.add(new FaultInterval(started.kind(), started.targets(), started.time(), f.time()));
                open.remove(i--);
                if (!f.targets().isEmpty()) {
                    return;
                }
            }
        }
    }

    private Second second(long nanos) {
        int s = (int) (Math.max(0, nanos) / 1_000_000_000L);
        while (seconds.size() <= s) {
            seconds.add(new Second());
        }
        return seconds.get(s);
    }
}
