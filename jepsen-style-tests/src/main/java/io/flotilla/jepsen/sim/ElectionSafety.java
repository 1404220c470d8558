package io.flotilla.jepsen.sim;

import java.util.TreeMap;

/** Raft's election safety: at most one leader per term, ever (Raft §5.2). */
public final class ElectionSafety {
    public static final String NAME = "election-safety";

    private record Leader(int node, long sinceMs) {
    }

    private final TreeMap<Long, Leader> leaderByTerm = new TreeMap<>();

    /**
     * Records that node {@code node} is leader of {@code term}; returns true the first time that
     * term has a leader. Throws if another node led that term.
     */
    public boolean observe(long term, int node, long nowMs) {
        Leader known = leaderByTerm.get(term);
        if (known == null) {
            leaderByTerm.put(term, new Leader(node, nowMs));
            return true;
        }
        if (known.node() != node) {
            throw new InvariantViolation(NAME, "two leaders in term " + term + ": n" + known.node() + " (leader since "
                    + known.sinceMs() + " ms) and n" + node + " (leader at " + nowMs + " ms)");
        }
        return false;
    }

    /** Terms that had a leader. */
    public int elections() {
        return leaderByTerm.size();
    }
}
