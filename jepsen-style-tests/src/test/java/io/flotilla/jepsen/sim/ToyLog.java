package io.flotilla.jepsen.sim;

import io.flotilla.raft.Entry;
import io.flotilla.raft.RaftStorage;

import java.util.ArrayList;
import java.util.List;

/**
 * {@link ToyRaft}'s log: every entry (durable or not) in memory, plus what the next Ready must
 * write (a truncation of entries already handed out, and the entries not handed out yet).
 */
final class ToyLog {
    private final ArrayList<Entry> entries = new ArrayList<>();
    private int firstPending;
    private long pendingTruncate = -1;

    ToyLog(RaftStorage storage) {
        if (storage.endOffset() > storage.startOffset()) {
            entries.addAll(storage.entries(storage.startOffset(), storage.endOffset(), Long.MAX_VALUE));
        }
        firstPending = entries.size();
    }

    long end() {
        return entries.isEmpty() ? 0 : entries.get(entries.size() - 1).nextOffset();
    }

    long lastTerm() {
        return entries.isEmpty() ? 0 : entries.get(entries.size() - 1).term();
    }

    int size() {
        return entries.size();
    }

    Entry get(int i) {
        return entries.get(i);
    }

    /** Term of the entry ending at {@code end}; 0 for end 0; -1 if no entry ends there. */
    long termEndingAt(long end) {
        if (end == 0) {
            return 0;
        }
        int i = indexCovering(end - 1);
        return i >= 0 && entries.get(i).nextOffset() == end ? entries.get(i).term() : -1;
    }

    int indexOfBase(long offset) {
        int i = indexCovering(offset);
        return i >= 0 && entries.get(i).baseOffset() == offset ? i : -1;
    }

    int indexCovering(long offset) {
        return Entry.indexHolding(entries, offset);
    }

    /** The largest entry boundary at or below {@code offset}. */
    long floorBoundary(long offset) {
        if (offset >= end()) {
            return end();
        }
        return entries.get(indexCovering(offset)).baseOffset();
    }

    void append(Entry e) {
        if (e.baseOffset() != end()) {
            throw new IllegalStateException("toy: " + e + " does not follow " + end());
        }
        entries.add(e);
    }

    void truncateFrom(long offset) {
        int i = indexOfBase(offset);
        if (i < 0) {
            throw new IllegalStateException("toy: truncate from non-boundary " + offset);
        }
        entries.subList(i, entries.size()).clear();
        if (i < firstPending) {
            firstPending = i;
            pendingTruncate = pendingTruncate < 0 ? offset : Math.min(pendingTruncate, offset);
        }
    }

    List<Entry> slice(long from, long to, int maxEntries) {
        List<Entry> out = new ArrayList<>();
        for (int i = indexOfBase(from); i >= 0 && i < entries.size() && out.size() < maxEntries; i++) {
            if (entries.get(i).nextOffset() > to) {
                break;
            }
            out.add(entries.get(i));
        }
        return out;
    }

    boolean hasPending() {
        return pendingTruncate >= 0 || firstPending < entries.size();
    }

    long pendingTruncate() {
        return pendingTruncate;
    }

    /** Hands out the pending entries: from now on they are the in-flight Ready's business. */
    List<Entry> takePending() {
        List<Entry> out = List.copyOf(entries.subList(firstPending, entries.size()));
        firstPending = entries.size();
        pendingTruncate = -1;
        return out;
    }
}
