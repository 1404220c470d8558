package io.flotilla.jepsen.sim;

import io.flotilla.raft.Entry;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * A log as the checkers see it: entries in offset order plus, for each, a hash of the whole log
 * up to and including it, so "these two logs agree up to here" is one comparison. The
 * simulation keeps one per node mirroring its durable {@code MemoryStorage} (updated from the
 * same {@code Ready}), and one for every entry committed anywhere.
 */
public final class LogView {
    private final ArrayList<Entry> entries = new ArrayList<>();
    private long[] chain = new long[64];
    private final long start;

    public LogView() {
        this(0);
    }

    public LogView(long start) {
        this.start = start;
    }

    public static LogView of(List<Entry> entries) {
        LogView view = new LogView(entries.isEmpty() ? 0 : entries.get(0).baseOffset());
        entries.forEach(view::append);
        return view;
    }

    public long start() {
        return start;
    }

    public long end() {
        return entries.isEmpty() ? start : entries.get(entries.size() - 1).nextOffset();
    }

    public int size() {
        return entries.size();
    }

    public Entry get(int index) {
        return entries.get(index);
    }

    public List<Entry> entries() {
        return Collections.unmodifiableList(entries);
    }

    /** Term of the last entry, 0 for an empty log. */
    public long lastTerm() {
        return entries.isEmpty() ? 0 : entries.get(entries.size() - 1).term();
    }

    /** Hash of entries {@code 0..index}. */
    public long chainHash(int index) {
        return chain[index];
    }

    public void append(Entry entry) {
        if (entry.baseOffset() != end()) {
            throw new IllegalStateException("entry " + Entries.describe(entry) + " does not follow the log, which ends at "
                    + end());
        }
        int n = entries.size();
        if (n == chain.length) {
            chain = Arrays.copyOf(chain, n * 2);
        }
        chain[n] = Entries.chain(n == 0 ? start : chain[n - 1], entry);
        entries.add(entry);
    }

    /** Removes every entry at or after {@code offset} (an entry boundary or the end); returns how many. */
    public int truncateFrom(long offset) {
        if (offset == end()) {
            return 0;
        }
        int i = indexOfBase(offset);
        if (i < 0) {
            throw new IllegalStateException("cannot truncate from " + offset + ": not an entry boundary of ["
                    + start + ", " + end() + ")");
        }
        int removed = entries.size() - i;
        entries.subList(i, entries.size()).clear();
        return removed;
    }

    /** Truncates (unless {@code truncateFrom} is -1) then appends; returns the index of the first appended entry. */
    public int apply(long truncateFrom, List<Entry> appended) {
        if (truncateFrom >= 0) {
            truncateFrom(truncateFrom);
        }
        int first = entries.size();
        appended.forEach(this::append);
        return first;
    }

    /** Index of the entry starting at {@code offset}, or -1. */
    public int indexOfBase(long offset) {
        int i = indexCovering(offset);
        return i >= 0 && entries.get(i).baseOffset() == offset ? i : -1;
    }

    /** Index of the entry holding {@code offset}, or -1. */
    public int indexCovering(long offset) {
        return Entry.indexHolding(entries, offset);
    }

    /** The entry holding {@code offset}, or null. */
    public Entry covering(long offset) {
        int i = indexCovering(offset);
        return i < 0 ? null : entries.get(i);
    }
}
