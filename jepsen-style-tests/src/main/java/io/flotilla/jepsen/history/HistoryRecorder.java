package io.flotilla.jepsen.history;

import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * What workload clients and the nemesis record into, from any thread: stamps each entry with
 * the run's monotonic and wall-clock time and appends it to the history file in one order.
 */
public final class HistoryRecorder implements Closeable {
    private final HistoryWriter writer;
    private final LongSupplier nanoTime;
    private final LongSupplier wallMillis;
    private final long start;

    /** Records in real time. */
    public HistoryRecorder(HistoryWriter writer) {
        this(writer, System::nanoTime, System::currentTimeMillis);
    }

    /** Records with the given clocks (a simulation's); {@code time} counts from this call. */
    public HistoryRecorder(HistoryWriter writer, LongSupplier nanoTime, LongSupplier wallMillis) {
        this.writer = writer;
        this.nanoTime = nanoTime;
        this.wallMillis = wallMillis;
        this.start = nanoTime.getAsLong();
    }

    public void invoke(int process, Action action) {
        record(process, OpType.INVOKE, action);
    }

    /** Completes the process's operation: {@code type} is OK, FAIL or INFO; {@code action} carries the result. */
    public void complete(int process, OpType type, Action action) {
        if (type == OpType.INVOKE) {
            throw new IllegalArgumentException("complete takes OK, FAIL or INFO; use invoke to begin an operation");
        }
        record(process, type, action);
    }

    public void faultStarted(String kind, List<Integer> targets) {
        fault(Fault.Edge.START, kind, targets);
    }

    public void faultStopped(String kind, List<Integer> targets) {
        fault(Fault.Edge.STOP, kind, targets);
    }

    private synchronized void record(int process, OpType type, Action action) {
        write(new Op(nanoTime.getAsLong() - start, wallMillis.getAsLong(), process, type, action));
    }

    private synchronized void fault(Fault.Edge edge, String kind, List<Integer> targets) {
        write(new Fault(nanoTime.getAsLong() - start, wallMillis.getAsLong(), edge, kind, targets));
    }

    private void write(HistoryEntry entry) {
        try {
            writer.write(entry);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot append to the history", e);
        }
    }

    @Override
    public synchronized void close() throws IOException {
        writer.close();
    }
}
