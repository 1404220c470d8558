package io.flotilla.jepsen.history;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Hand-made histories for tests: each entry 1 ms after the previous unless {@link #at} says otherwise. */
public final class HistoryBuilder {
    private static final long STEP = 1_000_000;
    private static final long WALL_START = 1_700_000_000_000L;

    private final List<HistoryEntry> entries = new ArrayList<>();
    private long time;

    /** The next entry is at {@code nanos} of the run. */
    public HistoryBuilder at(long nanos) {
        time = nanos - STEP;
        return this;
    }

    public HistoryBuilder invoke(int process, Action action) {
        return add(process, OpType.INVOKE, action);
    }

    public HistoryBuilder complete(int process, OpType type, Action action) {
        return add(process, type, action);
    }

    public HistoryBuilder sendOk(int process, int partition, long value, long offset) {
        Send s = Send.of(partition, value);
        return invoke(process, s).complete(process, OpType.OK, s.at(offset));
    }

    public HistoryBuilder sendFail(int process, int partition, long value) {
        Send s = Send.of(partition, value);
        return invoke(process, s).complete(process, OpType.FAIL, s);
    }

    public HistoryBuilder sendInfo(int process, int partition, long value) {
        Send s = Send.of(partition, value);
        return invoke(process, s).complete(process, OpType.INFO, s);
    }

    public HistoryBuilder assign(int process, int partition) {
        Assign a = new Assign(partition);
        return invoke(process, a).complete(process, OpType.OK, a);
    }

    /** An OK poll returning {@code offsetsAndValues}: offset, value, offset, value... */
    public HistoryBuilder poll(int process, int partition, long... offsetsAndValues) {
        return invoke(process, Poll.of(partition))
                .complete(process, OpType.OK, new Poll(partition, messages(offsetsAndValues)));
    }

    /** An OK final read of node {@code node}, by process {@code 100 + node}. */
    public HistoryBuilder finalRead(int node, int partition, long... offsetsAndValues) {
        return invoke(100 + node, FinalRead.of(node, partition))
                .complete(100 + node, OpType.OK, new FinalRead(node, partition, messages(offsetsAndValues)));
    }

    public HistoryBuilder fault(Fault.Edge edge, String kind, Integer... targets) {
        time += STEP;
        entries.add(new Fault(time, WALL_START + time / 1_000_000, edge, kind, Arrays.asList(targets)));
        return this;
    }

    public List<HistoryEntry> entries() {
        return List.copyOf(entries);
    }

    public History history() {
        return History.of(entries);
    }

    public static List<Message> messages(long... offsetsAndValues) {
        if (offsetsAndValues.length % 2 != 0) {
            throw new IllegalArgumentException("offsets and values come in pairs");
        }
        List<Message> messages = new ArrayList<>();
        for (int i = 0; i < offsetsAndValues.length; i += 2) {
            messages.add(new Message(offsetsAndValues[i], offsetsAndValues[i + 1]));
        }
        return messages;
    }

    private HistoryBuilder add(int process, OpType type, Action action) {
        time += STEP;
        entries.add(new Op(time, WALL_START + time / 1_000_000, process, type, action));
        return this;
    }
}
