package io.flotilla.raft;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * A group's log as its state machine sees it: the durable entries of {@link RaftStorage}
 * below {@code unstableOffset}, then entries appended in memory and not yet persisted
 * ({@code unstable}). The driver persists unstable entries through a {@link Ready}; only then
 * do they move below {@code unstableOffset}.
 *
 * <p>When a conflict truncates below {@code unstableOffset}, the durable tail from there on is
 * dead: {@code truncatePending} asks the next Ready to remove it. Reads never look at storage
 * at or above {@code unstableOffset}, so the driver may write there before calling
 * {@link #stableTo} without Raft noticing.
 */
final class RaftLog {
    private final RaftStorage storage;
    private final List<Entry> unstable = new ArrayList<>();
    private long unstableOffset;
    private boolean truncatePending;
    /** A snapshot installed in memory and not yet persisted: storage below it no longer counts. */
    private Snapshot installing;

    RaftLog(RaftStorage storage) {
        this.storage = storage;
        this.unstableOffset = storage.endOffset();
    }

    long startOffset() {
        return installing != null ? installing.end() : storage.startOffset();
    }

    long endOffset() {
        return unstable.isEmpty() ? unstableOffset : unstable.get(unstable.size() - 1).nextOffset();
    }

    /**
     * End of the durable prefix Raft may rely on: what this member can acknowledge. While a
     * snapshot is being installed, its end: acknowledgements go out only after it is persisted.
     */
    long stableEnd() {
        return unstableOffset;
    }

    long lastTerm() {
        return termAt(endOffset() - 1);
    }

    /** Term of the entry holding {@code offset}; for {@code startOffset - 1}, the term before the start; -1 if absent. */
    long termAt(long offset) {
        if (offset < startOffset() - 1 || offset >= endOffset()) {
            return -1;
        }
        if (installing != null && offset == installing.end() - 1) {
            return installing.term();
        }
        if (offset < unstableOffset) {
            return storage.termAt(offset);
        }
        return unstable.get(unstableIndexHolding(offset)).term();
    }

    /** Whether the log holds an entry ending at {@code end} with term {@code term} (or {@code end} is the start and the term before it matches). */
    boolean matches(long end, long term) {
        return end <= endOffset() && termAt(end - 1) == term;
    }

    /**
     * Base offset of the entry holding {@code offset}; {@code offset} itself at or past the end
     * of the log; the log start for offsets below it (clamped, so callers never go below the start).
     */
    long entryBaseAtOrBefore(long offset) {
        if (offset >= endOffset()) {
            return endOffset();
        }
        if (offset <= startOffset()) {
            return startOffset();
        }
        if (offset >= unstableOffset) {
            return unstable.get(unstableIndexHolding(offset)).baseOffset();
        }
        return storage.entryBase(offset);
    }

    /**
     * Whole entries from {@code from} (an entry base) below {@code to}, up to {@code maxBytes} of
     * payload but at least one.
     */
    List<Entry> entries(long from, long to, long maxBytes) {
        List<Entry> out = new ArrayList<>();
        long bytes = 0;
        long next = from;
        if (next < unstableOffset) {
            for (Entry e : storage.entries(next, Math.min(to, unstableOffset), maxBytes)) {
                out.add(e);
                bytes += e.sizeInBytes();
                next = e.nextOffset();
            }
        }
        if (next >= unstableOffset && next < to) {
            for (int i = unstable.isEmpty() || next >= endOffset() ? unstable.size() : unstableIndexHolding(next);
                 i < unstable.size(); i++) {
                Entry e = unstable.get(i);
                if (e.nextOffset() > to || (!out.isEmpty() && bytes + e.sizeInBytes() > maxBytes)) {
                    break;
                }
                out.add(e);
                bytes += e.sizeInBytes();
            }
        }
        return out;
    }

    /**
     * How many entries one conflict hint (and one leader's step back after it) walks at most:
     * each is a storage read (a real log reads entry headers from its file) on the group's loop
     * thread, which serves every group of the loop. A run of thousands (a follower that led a
     * long term) then takes a round trip per 256 entries instead of a turn of a minute, which
     * stood the loop's other groups still too (a real-cluster run, seed 5931627614752604947).
     */
    static final int MAX_HINT_STEPS = 256;

    /** Where a follower's log diverges, as it tells the leader: see {@link #conflictHint}. */
    record ConflictHint(long end, long term) {
    }

    /**
     * The hint a follower rejecting an append at {@code prevEnd} gives: with an entry of some
     * term there, that term and where this log's run of it begins, so the leader skips the
     * whole run at once; with nothing there, term 0 and where this log ends. The walk back
     * stops after {@link #MAX_HINT_STEPS} entries, at an entry of the same term: each step
     * reads the storage, and a run of one term can be a whole log long. Such a hint is still
     * sound (the run begins at or before it); the leader's next probe there is rejected
     * with a hint further back.
     */
    ConflictHint conflictHint(long prevEnd) {
        if (endOffset() < prevEnd || termAt(prevEnd - 1) < 0) {
            return new ConflictHint(Math.min(endOffset(), Math.max(startOffset(), prevEnd)), 0);
        }
        long hintTerm = termAt(prevEnd - 1);
        long base = entryBaseAtOrBefore(prevEnd - 1);
        for (int steps = 0; steps < MAX_HINT_STEPS && base > startOffset() && termAt(base - 1) == hintTerm; steps++) {
            base = entryBaseAtOrBefore(base - 1);
        }
        return new ConflictHint(base, hintTerm);
    }

    /**
     * Where a leader probes next after a follower refused an append at {@code rejected} with
     * a {@link #conflictHint}: past this log's last entry of the follower's conflicting term if
     * it has that term (both logs agree up to there), else back to where the follower's run of
     * that term begins; always at least one entry back.
     */
    long probeAfterRejection(long rejected, long hintEnd, long hintTerm) {
        long next;
        if (hintTerm == 0) {
            next = entryBaseAtOrBefore(Math.min(hintEnd, rejected));
        } else {
            // Walk back entry by entry; 'end' is always where the entry at 'base' ends, so no entry is read.
            // At most MAX_HINT_STEPS entries, as the follower's walk: stopping above the
            // follower's term falls back to its hint, which is at or before where they differ.
            long end = rejected;
            long base = entryBaseAtOrBefore(rejected - 1);
            long term = termAt(base);
            for (int steps = 0; steps < MAX_HINT_STEPS && base > startOffset() && term > hintTerm; steps++) {
                end = base;
                base = entryBaseAtOrBefore(base - 1);
                term = termAt(base);
            }
            next = term == hintTerm ? end : entryBaseAtOrBefore(Math.min(hintEnd, term < hintTerm ? end : base));
        }
        if (next >= rejected) {
            next = entryBaseAtOrBefore(rejected - 1);
        }
        return next;
    }

    /** Appends entries that follow the log. */
    void append(Entry entry) {
        if (entry.baseOffset() != endOffset()) {
            throw new IllegalStateException("entry " + entry + " does not follow the log ending at " + endOffset());
        }
        unstable.add(entry);
    }

    /** Removes every entry at or after {@code offset}, an entry boundary. */
    void truncateFrom(long offset) {
        if (offset >= unstableOffset) {
            if (offset < endOffset()) {
                unstable.subList(unstableIndexHolding(offset), unstable.size()).clear();
            }
            return;
        }
        unstable.clear();
        unstableOffset = offset;
        truncatePending = true;
    }

    /**
     * Replaces the whole log by {@code snapshot}: empty, starting at its end. Storage catches up
     * when the Ready carrying the snapshot's last chunk is persisted ({@link #snapshotPersisted}).
     */
    void installSnapshot(Snapshot snapshot) {
        unstable.clear();
        unstableOffset = snapshot.end();
        truncatePending = false;
        installing = snapshot;
    }

    void snapshotPersisted(Snapshot snapshot) {
        if (snapshot.sameAs(installing)) {
            installing = null;
        }
    }

    /** What a follower that needs compacted entries gets instead: the snapshot storage holds. */
    Snapshot snapshot() {
        return new Snapshot(storage.startOffset(), storage.termBeforeStart(), storage.snapshotMembership(),
                storage.snapshotSize());
    }

    /** Part of {@code snapshot}'s bytes, or null if storage replaced it by a newer one. */
    ByteBuffer readSnapshot(Snapshot snapshot, long position, int maxBytes) {
        return storage.readSnapshot(snapshot, position, maxBytes);
    }

    /** Whether a snapshot installed in memory is not yet persisted. */
    boolean installing() {
        return installing != null;
    }

    /** The unstable entries, to hand to the driver. */
    List<Entry> unstableEntries() {
        return List.copyOf(unstable);
    }

    /** The truncation the driver must apply before appending, or -1. */
    long pendingTruncation() {
        return truncatePending ? unstableOffset : -1;
    }

    boolean hasUnpersisted() {
        return truncatePending || !unstable.isEmpty();
    }

    /**
     * The driver persisted a Ready: its truncation (or -1) and its entries. Entries still at the
     * front of the unstable list become stable; handed-out entries a later conflict replaced
     * reached storage anyway, so they must be truncated by the next Ready.
     */
    void stableTo(long truncatedFrom, List<Entry> persisted) {
        if (truncatedFrom >= 0 && truncatePending && truncatedFrom == unstableOffset) {
            truncatePending = false;
        }
        if (persisted.isEmpty()) {
            return;
        }
        int matching = 0;
        if (!truncatePending && persisted.get(0).baseOffset() == unstableOffset) {
            while (matching < persisted.size() && matching < unstable.size()
                    && sameEntry(persisted.get(matching), unstable.get(matching))) {
                matching++;
            }
        }
        if (matching > 0) {
            unstableOffset = unstable.get(matching - 1).nextOffset();
            unstable.subList(0, matching).clear();
        }
        Entry lastPersisted = persisted.get(persisted.size() - 1);
        if (matching < persisted.size() && lastPersisted.nextOffset() > unstableOffset) {
            truncatePending = true; // storage now holds entries the log no longer has
        }
    }

    private static boolean sameEntry(Entry a, Entry b) {
        return a.baseOffset() == b.baseOffset() && a.term() == b.term() && a.count() == b.count();
    }

    private int unstableIndexHolding(long offset) {
        int i = Entry.indexHolding(unstable, offset);
        if (i >= 0) {
            return i;
        }
        throw new IllegalStateException("offset " + offset + " is not in the unstable entries from " + unstableOffset);
    }
}
