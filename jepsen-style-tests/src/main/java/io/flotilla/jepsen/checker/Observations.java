package io.flotilla.jepsen.checker;

import io.flotilla.jepsen.history.Action;
import io.flotilla.jepsen.history.Fault;
import io.flotilla.jepsen.history.FinalRead;
import io.flotilla.jepsen.history.HistoryEntry;
import io.flotilla.jepsen.history.HistoryLine;
import io.flotilla.jepsen.history.Invocations;
import io.flotilla.jepsen.history.MalformedHistoryException;
import io.flotilla.jepsen.history.Message;
import io.flotilla.jepsen.history.Op;
import io.flotilla.jepsen.history.OpType;
import io.flotilla.jepsen.history.Poll;
import io.flotilla.jepsen.history.Send;

import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * The checker's first pass: facts per value (its send and outcome, where it was observed) and
 * per partition ({@link PartitionFacts}), then the anomalies those facts show on their own:
 * everything but the per-process orders, which {@link ProcessSequences} checks in a second pass.
 */
final class Observations {
    /** What the history says about one value. Lines are -1 until known. */
    private static final class ValueFacts {
        int sentTo = -1;
        long sendLine = -1;
        /** Null while the send is not completed (indeterminate). */
        OpType outcome;
        long ackOffset = Send.UNKNOWN;
        long ackLine = -1;
        int readPartition = -1;
        long readOffset = -1;
        long readLine = -1;
        int elsewherePartition = -1;
        long elsewhereLine = -1;
        long pollLine = -1;
        boolean inFinalRead;
        int firstPartition = -1;
        long firstOffset = -1;
        long firstLine = -1;
        boolean duplicated;
    }

    private final Findings findings;
    private final HistoryStats stats = new HistoryStats();
    private final Invocations invocations = new Invocations();
    private final Map<Long, ValueFacts> values = new HashMap<>();
    private final Map<Integer, PartitionFacts> partitions = new TreeMap<>();
    private boolean finalReads;

    Observations(Findings findings) {
        this.findings = findings;
    }

    void accept(HistoryEntry entry, long line) {
        if (entry instanceof Fault f) {
            if (f.edge() == Fault.Edge.START) {
                stats.faultStarted(f.kind());
            }
            return;
        }
        Op op = (Op) entry;
        invocations.accept(op, line);
        stats.operation(op.action().kind(), op.type());
        Action action = op.action();
        if (action instanceof Send s) {
            send(s, op.type(), line);
        } else if (op.type() == OpType.OK && action instanceof Poll p) {
            for (Message m : p.messages()) {
                read(p.partition(), m, line, true);
            }
        } else if (op.type() == OpType.OK && action instanceof FinalRead r) {
            finalReads = true;
            partition(r.partition()).finalRead(r.node(), r.messages(), line);
            for (Message m : r.messages()) {
                read(r.partition(), m, line, false);
            }
        }
    }

    /** After the pass: reports the anomalies of values, offsets and final reads. */
    void finish() {
        for (HistoryLine open : invocations.open()) {
            stats.operation(((Op) open.entry()).action().kind(), OpType.INFO);
        }
        values.forEach(this::checkValue);
        partitions.values().forEach(p -> p.checkFinalReads(findings, (offset, value) -> committed(p.partition, offset, value)));
    }

    HistoryStats stats() {
        return stats;
    }

    boolean hasFinalReads() {
        return finalReads;
    }

    /** Per partition, every offset some read returned, sorted. */
    Map<Integer, long[]> readOffsets() {
        Map<Integer, long[]> offsets = new HashMap<>();
        partitions.forEach((p, facts) -> offsets.put(p, facts.readOffsets()));
        return offsets;
    }

    private void send(Send s, OpType type, long line) {
        ValueFacts f = value(s.value());
        if (type == OpType.INVOKE) {
            if (f.sendLine >= 0) {
                throw new MalformedHistoryException(line, "value " + s.value() + " is sent again (first at line "
                        + f.sendLine + "): every send needs a unique value");
            }
            f.sentTo = s.partition();
            f.sendLine = line;
            return;
        }
        f.outcome = type;
        f.ackLine = line;
        if (type == OpType.OK) {
            if (s.offset() == Send.UNKNOWN) {
                throw new MalformedHistoryException(line, "an ok send must carry the offset the broker acknowledged");
            }
            f.ackOffset = s.offset();
            observedAt(f, s.partition(), s.offset(), s.value(), line);
            partition(s.partition()).clientObserved(s.offset(), s.value(), line, false, findings);
        }
    }

    private void read(int partition, Message m, long line, boolean poll) {
        ValueFacts f = value(m.value());
        if (f.readLine < 0) {
            f.readPartition = partition;
            f.readOffset = m.offset();
            f.readLine = line;
        } else if (partition != f.readPartition && f.elsewhereLine < 0) {
            f.elsewherePartition = partition;
            f.elsewhereLine = line;
        }
        if (poll) {
            if (f.pollLine < 0) {
                f.pollLine = line;
            }
        } else {
            f.inFinalRead = true;
        }
        observedAt(f, partition, m.offset(), m.value(), line);
        PartitionFacts p = partition(partition);
        p.read(m.offset(), line);
        if (poll) {
            p.clientObserved(m.offset(), m.value(), line, true, findings);
        }
    }

    /** Notes one position of the value; a second, different one is a duplicate. */
    private void observedAt(ValueFacts f, int partition, long offset, long value, long line) {
        if (f.firstLine < 0) {
            f.firstPartition = partition;
            f.firstOffset = offset;
            f.firstLine = line;
        } else if ((partition != f.firstPartition || offset != f.firstOffset) && !f.duplicated) {
            f.duplicated = true;
            findings.add(AnomalyKind.DUPLICATE, f.firstPartition, "value " + value + " is at " + position(f.firstPartition,
                    f.firstOffset) + " (line " + f.firstLine + ") and at " + position(partition, offset) + " (line " + line + ")",
                    f.firstLine, line);
        }
    }

    private void checkValue(long value, ValueFacts f) {
        if (f.outcome == OpType.OK) {
            PartitionFacts p = partition(f.sentTo);
            if (f.readLine < 0 && p.maxRead() >= f.ackOffset) {
                findings.add(AnomalyKind.LOST_WRITE, f.sentTo, "value " + value + " acknowledged at "
                        + position(f.sentTo, f.ackOffset) + " is never read, though offset " + p.maxRead() + " was (line "
                        + p.maxReadLine() + ")", f.sendLine, f.ackLine, p.maxReadLine());
            }
            if (finalReads && !f.inFinalRead) {
                findings.add(AnomalyKind.UNSEEN, f.sentTo, "value " + value + " acknowledged at "
                        + position(f.sentTo, f.ackOffset) + " is in no final read", f.sendLine, f.ackLine);
            }
        }
        if (f.readLine < 0) {
            return;
        }
        String read = "value " + value + " read at " + position(f.readPartition, f.readOffset) + " (line " + f.readLine + ")";
        if (f.sendLine < 0) {
            findings.add(AnomalyKind.ABORTED_READ, f.readPartition, read + " was never sent", f.readLine);
        } else if (f.outcome == OpType.FAIL) {
            findings.add(AnomalyKind.ABORTED_READ, f.readPartition, read + " but its send failed (line " + f.ackLine + ")",
                    f.readLine, f.sendLine, f.ackLine);
        } else if (f.readPartition != f.sentTo) {
            findings.add(AnomalyKind.ABORTED_READ, f.readPartition, read + " was sent to partition " + f.sentTo
                    + " (line " + f.sendLine + ")", f.readLine, f.sendLine);
        } else if (f.elsewhereLine >= 0) {
            findings.add(AnomalyKind.ABORTED_READ, f.elsewherePartition, "value " + value + " sent to partition " + f.sentTo
                    + " (line " + f.sendLine + ") is read in partition " + f.elsewherePartition + " (line "
                    + f.elsewhereLine + ")", f.sendLine, f.elsewhereLine);
        }
    }

    private boolean committed(int partition, long offset, long value) {
        ValueFacts f = values.get(value);
        return f != null && (f.pollLine >= 0
                || (f.outcome == OpType.OK && f.sentTo == partition && f.ackOffset == offset));
    }

    private ValueFacts value(long value) {
        return values.computeIfAbsent(value, v -> new ValueFacts());
    }

    private PartitionFacts partition(int partition) {
        return partitions.computeIfAbsent(partition, PartitionFacts::new);
    }

    static String position(int partition, long offset) {
        return "partition " + partition + " offset " + offset;
    }
}
