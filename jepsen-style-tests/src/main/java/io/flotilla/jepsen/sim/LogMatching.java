package io.flotilla.jepsen.sim;

import io.flotilla.raft.Entry;

import java.util.HashMap;
import java.util.List;

/**
 * Raft's log matching (§5.3): if two durable logs hold an entry with the same base offset and
 * term, the entries are identical and so are the logs before them. Checked incrementally:
 * every entry that becomes durable on any node is compared, by its prefix hash, with the first
 * entry of that offset and term seen on any node at any time (only one leader ever creates an
 * entry at an offset in a term, so that stronger form must hold too).
 */
public final class LogMatching {
    public static final String NAME = "log-matching";

    private record Key(long baseOffset, long term) {
    }

    private record Witness(int node, long prefixHash, Entry entry) {
    }

    private final List<LogView> logs;
    private final HashMap<Key, Witness> seen = new HashMap<>();

    /** {@code logs.get(n)} is node n's durable log; the checker reads them to explain violations. */
    public LogMatching(List<LogView> logs) {
        this.logs = logs;
    }

    /** Checks node {@code node}'s entries from index {@code fromIndex} on (those it just persisted). */
    public void check(int node, int fromIndex) {
        LogView log = logs.get(node);
        for (int i = fromIndex; i < log.size(); i++) {
            Entry e = log.get(i);
            Key key = new Key(e.baseOffset(), e.term());
            Witness w = seen.get(key);
            if (w == null) {
                seen.put(key, new Witness(node, log.chainHash(i), e));
            } else if (w.prefixHash() != log.chainHash(i)) {
                throw new InvariantViolation(NAME, explain(node, i, w));
            }
        }
    }

    /** Checks every log from scratch (for a hand-built state). */
    public void checkAll() {
        for (int n = 0; n < logs.size(); n++) {
            check(n, 0);
        }
    }

    private String explain(int node, int index, Witness w) {
        LogView log = logs.get(node);
        Entry e = log.get(index);
        String both = "n" + node + " and n" + w.node() + " both hold an entry at offset " + e.baseOffset() + " of term "
                + e.term();
        if (!Entries.same(e, w.entry())) {
            return both + " but they differ: n" + node + " has " + Entries.describe(e) + ", n" + w.node() + " has "
                    + Entries.describe(w.entry());
        }
        LogView other = logs.get(w.node());
        int j = other.indexOfBase(e.baseOffset());
        if (j < 0 || !Entries.same(other.get(j), e)) {
            return both + " (n" + w.node() + " has since removed it), identical, but their logs before it differed";
        }
        for (int k = 0; k <= index; k++) {
            Entry mine = log.get(k);
            Entry theirs = other.covering(mine.baseOffset());
            if (theirs == null || !Entries.same(mine, theirs)) {
                return both + ", identical, but their logs before it differ: at offset " + mine.baseOffset() + " n"
                        + node + " has " + Entries.describe(mine) + ", n" + w.node() + " has "
                        + Entries.describe(theirs);
            }
        }
        return both + ", identical, but their logs before it differ";
    }
}
