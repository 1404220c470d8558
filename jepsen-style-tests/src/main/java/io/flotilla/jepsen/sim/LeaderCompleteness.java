package io.flotilla.jepsen.sim;

import io.flotilla.raft.Entry;

/**
 * Raft's leader completeness (§5.4): a leader's log holds every entry committed before its
 * term. "Committed" here means applied by some node before the leader was elected.
 *
 * <p>The leader's log at the moment of election may partly be in memory, invisible to the
 * harness, so the check waits until the leader's durable log holds an entry of its term (or a
 * later one): everything the leader had before that entry is then durable. A leader that
 * crashes first goes unchecked.
 */
public final class LeaderCompleteness {
    public static final String NAME = "leader-completeness";

    private record Pending(long life, long term, long committedEnd, long electedAtMs) {
    }

    private final Pending[] pending;

    public LeaderCompleteness(int nodes) {
        pending = new Pending[nodes];
    }

    /** Node {@code node} (in its run {@code life}) became leader of {@code term} when entries below {@code committedEnd} were committed. */
    public void elected(int node, long life, long term, long committedEnd, long nowMs) {
        pending[node] = new Pending(life, term, committedEnd, nowMs);
    }

    public void crashed(int node) {
        pending[node] = null;
    }

    /** Node {@code node} persisted; checks its pending election once its durable log reached its term. */
    public void persisted(int node, long life, LogView durable, LogView committed) {
        Pending p = pending[node];
        if (p == null || p.life() != life || durable.lastTerm() < p.term()) {
            return;
        }
        pending[node] = null;
        check(node, p.term(), durable, committed, p.committedEnd(), p.electedAtMs());
    }

    /** Throws unless {@code leaderLog} holds, identically, every entry of {@code committed} below {@code committedEnd}. */
    public static void check(int node, long term, LogView leaderLog, LogView committed, long committedEnd,
                             long electedAtMs) {
        if (committedEnd <= committed.start()) {
            return;
        }
        int last = committed.indexCovering(committedEnd - 1);
        int mine = leaderLog.indexOfBase(committed.get(last).baseOffset());
        if (mine == last && leaderLog.chainHash(mine) == committed.chainHash(last)) {
            return;
        }
        for (int i = 0; i <= last; i++) {
            Entry want = committed.get(i);
            Entry have = leaderLog.covering(want.baseOffset());
            if (have == null || !Entries.same(want, have)) {
                throw new InvariantViolation(NAME, "n" + node + " became leader of term " + term + " at "
                        + electedAtMs + " ms without committed entry " + Entries.describe(want) + ": its log has "
                        + Entries.describe(have) + " at offset " + want.baseOffset() + " (log ends at "
                        + leaderLog.end() + ")");
            }
        }
        throw new InvariantViolation(NAME, "n" + node + " became leader of term " + term
                + " with a log whose prefix hash differs from the committed log's below offset " + committedEnd);
    }
}
