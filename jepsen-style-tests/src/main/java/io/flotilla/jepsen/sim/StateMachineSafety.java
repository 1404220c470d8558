package io.flotilla.jepsen.sim;

import io.flotilla.raft.Entry;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;

/**
 * Raft's state-machine safety (§5.4.3): no two nodes ever apply different entries at one
 * offset. Also checks each node applies committed entries exactly once each, in order, with no
 * gap (from its log start after every restart: the state machine is volatile), and that no
 * proposal is applied at two offsets (every payload the workload proposes is unique).
 *
 * <p>Keeps every entry applied anywhere, in offset order: the committed log, which
 * {@link LeaderCompleteness} and {@link CommitSafety} compare against.
 */
public final class StateMachineSafety {
    public static final String NAME = "state-machine-safety";

    private final LogView committed = new LogView();
    private final List<Integer> firstApplier = new ArrayList<>();
    private final long[] appliedEnd;
    private final long[] lifeStart;
    private final HashMap<ByteBuffer, Long> offsetOfPayload = new HashMap<>();

    public StateMachineSafety(int nodes) {
        appliedEnd = new long[nodes];
        lifeStart = new long[nodes];
    }

    /** Node {@code node} restarted: its state machine is empty and replays from {@code logStart}. */
    public void restarted(int node, long logStart) {
        appliedEnd[node] = logStart;
        lifeStart[node] = logStart;
    }

    /** Node {@code node} applies {@code e}; returns true if no node had applied it before. */
    public boolean applied(int node, Entry e) {
        long expected = appliedEnd[node];
        if (e.baseOffset() != expected) {
            throw new InvariantViolation(NAME, "n" + node + " was handed committed entry " + Entries.describe(e)
                    + " but has applied up to offset " + expected + (e.baseOffset() < expected
                    ? ": it would apply offsets again"
                    : ": offsets " + expected + ".." + (e.baseOffset() - 1) + " would be skipped"
                    + (expected == lifeStart[node] ? " (a (re)started node's state machine is empty and RaftNode"
                    + " takes no applied offset, so committed entries must be handed over again from the log start)"
                    : "")));
        }
        appliedEnd[node] = e.nextOffset();
        if (e.baseOffset() < committed.end()) {
            int i = committed.indexOfBase(e.baseOffset());
            Entry first = i >= 0 ? committed.get(i) : committed.covering(e.baseOffset());
            if (i < 0 || !Entries.same(first, e)) {
                int by = firstApplier.get(i >= 0 ? i : committed.indexCovering(e.baseOffset()));
                throw new InvariantViolation(NAME, "n" + node + " applies " + Entries.describe(e) + " at offset "
                        + e.baseOffset() + " but n" + by + " applied " + Entries.describe(first) + " there");
            }
            return false;
        }
        if (e.type() == Entry.Type.DATA) {
            Long other = offsetOfPayload.putIfAbsent(e.payload().duplicate(), e.baseOffset());
            if (other != null) {
                throw new InvariantViolation(NAME, "n" + node + " applies " + Entries.describe(e) + " at offset "
                        + e.baseOffset() + " but the same proposal was already applied at offset " + other
                        + " as " + Entries.describe(committed.covering(other)) + ": a proposal was duplicated");
            }
        }
        committed.append(e);
        firstApplier.add(node);
        return true;
    }

    /** Every entry applied by some node, in offset order from 0. */
    public LogView committed() {
        return committed;
    }

    public long appliedEnd(int node) {
        return appliedEnd[node];
    }

    @Override
    public String toString() {
        return "applied ends " + Arrays.toString(appliedEnd) + ", committed end " + committed.end();
    }
}
