package io.flotilla.jepsen.checker;

import io.flotilla.jepsen.history.Assign;
import io.flotilla.jepsen.history.HistoryEntry;
import io.flotilla.jepsen.history.Message;
import io.flotilla.jepsen.history.Op;
import io.flotilla.jepsen.history.OpType;
import io.flotilla.jepsen.history.Poll;
import io.flotilla.jepsen.history.Send;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.LongStream;

/**
 * The checker's second pass: each process's sends and reads of each partition, in history order,
 * for nonmonotonic sends and polls and poll skips. Needs every offset any read returned (from the
 * first pass), since a skip may step over a record only a later read shows.
 */
final class ProcessSequences {
    private static final int SKIPPED_SHOWN = 5;

    /** Where one process stands on one partition; lines are -1 until it sent or read. */
    private static final class Position {
        long lastSent;
        long lastSentLine = -1;
        long lastRead;
        long lastReadLine = -1;
    }

    private record Key(int process, int partition) {
    }

    private final Map<Integer, long[]> readOffsets;
    private final Findings findings;
    private final Map<Key, Position> positions = new HashMap<>();

    ProcessSequences(Map<Integer, long[]> readOffsets, Findings findings) {
        this.readOffsets = readOffsets;
        this.findings = findings;
    }

    void accept(HistoryEntry entry, long line) {
        if (!(entry instanceof Op op) || op.type() == OpType.INVOKE || op.type() == OpType.FAIL) {
            return;
        }
        if (op.action() instanceof Assign a) {
            position(op.process(), a.partition()).lastReadLine = -1;
        } else if (op.type() == OpType.OK && op.action() instanceof Send s) {
            sent(op.process(), s, line);
        } else if (op.type() == OpType.OK && op.action() instanceof Poll p) {
            Position at = position(op.process(), p.partition());
            for (Message m : p.messages()) {
                read(op.process(), p.partition(), at, m.offset(), line);
            }
        }
    }

    private void sent(int process, Send s, long line) {
        Position at = position(process, s.partition());
        if (at.lastSentLine >= 0 && s.offset() <= at.lastSent) {
            findings.add(AnomalyKind.NONMONOTONIC_SEND, s.partition(), "process " + process + "'s send of value " + s.value()
                    + " got " + Observations.position(s.partition(), s.offset()) + " after its previous send got offset "
                    + at.lastSent + " (line " + at.lastSentLine + ")", at.lastSentLine, line);
        }
        at.lastSent = s.offset();
        at.lastSentLine = line;
    }

    private void read(int process, int partition, Position at, long offset, long line) {
        if (at.lastReadLine >= 0) {
            String read = "process " + process + " read " + Observations.position(partition, offset) + " after offset "
                    + at.lastRead + " (line " + at.lastReadLine + ")";
            if (offset <= at.lastRead) {
                findings.add(AnomalyKind.NONMONOTONIC_POLL, partition, read, at.lastReadLine, line);
            } else {
                long[] skipped = between(partition, at.lastRead, offset);
                if (skipped.length > 0) {
                    findings.add(AnomalyKind.POLL_SKIP, partition, read + ", skipping " + skipped.length
                            + " read elsewhere: offsets " + LongStream.of(skipped).limit(SKIPPED_SHOWN)
                            .mapToObj(Long::toString).collect(Collectors.joining(", "))
                            + (skipped.length > SKIPPED_SHOWN ? ", ..." : ""), at.lastReadLine, line);
                }
            }
        }
        at.lastRead = offset;
        at.lastReadLine = line;
    }

    /** The offsets some read returned strictly between {@code low} and {@code high}. */
    private long[] between(int partition, long low, long high) {
        long[] offsets = readOffsets.getOrDefault(partition, new long[0]);
        int from = Arrays.binarySearch(offsets, low);
        from = from >= 0 ? from + 1 : -from - 1;
        int to = Arrays.binarySearch(offsets, high);
        to = to >= 0 ? to : -to - 1;
        return from < to ? Arrays.copyOfRange(offsets, from, to) : new long[0];
    }

    private Position position(int process, int partition) {
        return positions.computeIfAbsent(new Key(process, partition), k -> new Position());
    }
}
