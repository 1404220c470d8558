package io.flotilla.jepsen.checker;

import io.flotilla.jepsen.history.Message;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * What the history says about one partition: the value clients observed at each offset
 * (acknowledgements and polls), how far reads went, and each node's final read.
 */
final class PartitionFacts {
    /** Whether a value is known committed at an offset: acknowledged there, or read by a poll. */
    @FunctionalInterface
    interface Committed {
        boolean at(long offset, long value);
    }

    private static final class OffsetFacts {
        final long value;
        final long line;
        boolean read;

        OffsetFacts(long value, long line) {
            this.value = value;
            this.line = line;
        }
    }

    final int partition;
    private final Map<Long, OffsetFacts> clientValues = new HashMap<>();
    private final Set<Long> inconsistent = new HashSet<>();
    private final Map<Integer, NodeLog> finalReads = new TreeMap<>();
    private long maxRead = -1;
    private long maxReadLine = -1;

    PartitionFacts(int partition) {
        this.partition = partition;
    }

    /** A client observed {@code value} at {@code offset}: acknowledged there, or read by a poll. */
    void clientObserved(long offset, long value, long line, boolean read, Findings findings) {
        OffsetFacts f = clientValues.get(offset);
        if (f == null) {
            f = new OffsetFacts(value, line);
            clientValues.put(offset, f);
        } else if (f.value != value) {
            inconsistent(offset, findings, "offset " + offset + " holds value " + f.value + " (line " + f.line
                    + ") and value " + value + " (line " + line + ")", f.line, line);
        }
        f.read |= read;
    }

    /** Some read (a poll or a final read) returned {@code offset}. */
    void read(long offset, long line) {
        if (offset > maxRead) {
            maxRead = offset;
            maxReadLine = line;
        }
    }

    void finalRead(int node, List<Message> messages, long line) {
        finalReads.computeIfAbsent(node, n -> new NodeLog(n, line)).add(messages);
    }

    /** The highest offset any read of this partition returned, or -1. */
    long maxRead() {
        return maxRead;
    }

    long maxReadLine() {
        return maxReadLine;
    }

    /** Every offset some read returned, sorted: what poll-skip measures gaps against. */
    long[] readOffsets() {
        long[] polled = clientValues.entrySet().stream().filter(e -> e.getValue().read)
                .mapToLong(Map.Entry::getKey).toArray();
        long[] all = Arrays.copyOf(polled, polled.length + finalReads.values().stream().mapToInt(NodeLog::size).sum());
        int n = polled.length;
        for (NodeLog log : finalReads.values()) {
            for (int i = 0; i < log.size(); i++) {
                all[n++] = log.offset(i);
            }
        }
        return Arrays.stream(all).sorted().distinct().toArray();
    }

    /**
     * Compares the final reads with what clients observed (inconsistent offsets), within each
     * node (a node returning two values for one offset), and between nodes (divergence).
     */
    void checkFinalReads(Findings findings, Committed committed) {
        List<NodeLog> logs = new ArrayList<>(finalReads.values());
        for (NodeLog log : logs) {
            log.seal();
            for (int i = 0; i < log.size(); i++) {
                long offset = log.offset(i);
                long value = log.value(i);
                if (i > 0 && log.offset(i - 1) == offset && log.value(i - 1) != value) {
                    inconsistent(offset, findings, "n" + log.node + "'s final read holds values " + log.value(i - 1)
                            + " and " + value + " at offset " + offset, log.line);
                }
                OffsetFacts seen = clientValues.get(offset);
                if (seen != null && seen.value != value) {
                    inconsistent(offset, findings, "offset " + offset + " holds value " + seen.value + " (line "
                            + seen.line + ") but value " + value + " in n" + log.node + "'s final read", seen.line, log.line);
                }
            }
        }
        compareNodes(logs, findings, committed);
    }

    private void inconsistent(long offset, Findings findings, String description, long... lines) {
        if (inconsistent.add(offset)) {
            findings.add(AnomalyKind.INCONSISTENT_OFFSETS, partition, description, lines);
        }
    }

    /** Walks all nodes' logs together, offset by offset, reporting each offset they disagree on once. */
    private void compareNodes(List<NodeLog> logs, Findings findings, Committed committed) {
        int[] at = new int[logs.size()];
        while (true) {
            long offset = Long.MAX_VALUE;
            for (int n = 0; n < logs.size(); n++) {
                if (at[n] < logs.get(n).size()) {
                    offset = Math.min(offset, logs.get(n).offset(at[n]));
                }
            }
            if (offset == Long.MAX_VALUE) {
                return;
            }
            NodeLog holder = null;
            long value = 0;
            String divergence = null;
            long[] lines = null;
            for (int n = 0; n < logs.size(); n++) {
                NodeLog log = logs.get(n);
                if (at[n] >= log.size() || log.offset(at[n]) != offset) {
                    continue;
                }
                long v = log.value(at[n]);
                if (holder == null) {
                    holder = log;
                    value = v;
                } else if (v != value && divergence == null) {
                    divergence = "at offset " + offset + " n" + holder.node + " holds value " + value + ", n" + log.node
                            + " holds value " + v;
                    lines = new long[] {holder.line, log.line};
                }
                while (at[n] < log.size() && log.offset(at[n]) == offset) {
                    at[n]++;
                }
            }
            for (int n = 0; n < logs.size() && divergence == null; n++) {
                NodeLog log = logs.get(n);
                boolean holds = at[n] > 0 && log.offset(at[n] - 1) == offset;
                if (holds) {
                    continue;
                }
                String why = log.end() > offset ? "below its last offset " + log.end()
                        : committed.at(offset, value) ? "though it is known committed (its log ends at " + log.end() + ")"
                        : null;
                if (why != null) {
                    divergence = "n" + log.node + " lacks offset " + offset + " (value " + value + " on n" + holder.node
                            + ") " + why;
                    lines = new long[] {holder.line, log.line};
                }
            }
            if (divergence != null) {
                findings.add(AnomalyKind.DIVERGENCE, partition, "partition " + partition + ": " + divergence, lines);
            }
        }
    }
}
