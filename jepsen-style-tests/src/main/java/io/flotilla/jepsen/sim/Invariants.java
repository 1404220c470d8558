package io.flotilla.jepsen.sim;

import io.flotilla.raft.Entry;
import io.flotilla.raft.MemberId;
import io.flotilla.raft.Role;

import java.util.List;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Runs every checker at the moments their inputs change, which amounts to after every event:
 * election and commit safety look at every live node after each event; log matching and leader
 * completeness look at a durable log when it changes; state-machine safety at each apply.
 */
final class Invariants {
    private final List<SimNode> nodes;
    private final ElectionSafety elections = new ElectionSafety();
    private final StateMachineSafety stateMachine;
    private final LogMatching logMatching;
    private final LeaderCompleteness completeness;
    private final CommitSafety commits;
    private final NewLeaders newLeaders;
    /** Per node, as last seen: its life, term, commit end, and whether it led. */
    private final long[] seenLife;
    private final long[] seenTerm;
    private final long[] seenCommitEnd;
    private final boolean[] seenLeading;
    private long maxCommitEnd;

    Invariants(List<SimNode> nodes) {
        this.nodes = nodes;
        List<LogView> durable = nodes.stream().map(SimNode::durable).toList();
        stateMachine = new StateMachineSafety(nodes.size());
        logMatching = new LogMatching(durable);
        completeness = new LeaderCompleteness(nodes.size());
        commits = new CommitSafety(durable);
        newLeaders = new NewLeaders(nodes.size());
        seenLife = new long[nodes.size()];
        seenTerm = new long[nodes.size()];
        seenCommitEnd = new long[nodes.size()];
        seenLeading = new boolean[nodes.size()];
    }

    /** Per term, the highest commit end its leader reached. */
    private final TreeMap<Long, Long> commitEndOfTerm = new TreeMap<>();

    void afterEvent(long nowMs) {
        for (SimNode node : nodes) {
            Replica r = node.replica();
            if (r == null) {
                continue;
            }
            int i = node.index();
            boolean leading = r.role() == Role.LEADER;
            if (leading) {
                long term = r.term();
                elections.observe(term, i, nowMs);
                if (newLeaders.newlyLeading(node)) {
                    completeness.elected(i, node.life(), term, committedEndByTerm(term), nowMs);
                }
            }
            long commitEnd = r.commitEnd();
            boolean ledThisTerm = leading || (seenLeading[i] && seenTerm[i] == r.term()); // stepped down: removed
            if (seenLife[i] == node.life() && commitEnd > seenCommitEnd[i] && ledThisTerm) {
                commits.leaderCommitted(seenCommitEnd[i], commitEnd, voters(r));
                commitEndOfTerm.merge(r.term(), commitEnd, Math::max);
            }
            seenLife[i] = node.life();
            seenTerm[i] = r.term();
            seenCommitEnd[i] = commitEnd;
            seenLeading[i] = leading;
            commits.check(i, node.life(), commitEnd, stateMachine.committed());
            maxCommitEnd = Math.max(maxCommitEnd, commitEnd);
        }
    }

    /**
     * The end of what leaders of {@code term} or earlier committed (and some node applied):
     * leader completeness promises a leader of {@code term} only those entries. A leader elected
     * late (by delayed votes) may lack entries a later term's leader committed meanwhile.
     */
    private long committedEndByTerm(long term) {
        long end = 0;
        for (long e : commitEndOfTerm.headMap(term, true).values()) {
            end = Math.max(end, e);
        }
        return Math.min(end, stateMachine.committed().end());
    }

    private static SortedSet<Integer> voters(Replica r) {
        SortedSet<Integer> voters = new TreeSet<>();
        for (MemberId v : r.membership().voters()) {
            voters.add(v.nodeId());
        }
        return voters;
    }

    void persisted(SimNode node, int firstNewIndex) {
        logMatching.check(node.index(), firstNewIndex);
        completeness.persisted(node.index(), node.life(), node.durable(), stateMachine.committed());
    }

    /** Returns true if no node had applied {@code entry} before. */
    boolean applied(SimNode node, Entry entry) {
        return stateMachine.applied(node.index(), entry);
    }

    void crashed(SimNode node) {
        completeness.crashed(node.index());
    }

    void started(SimNode node) {
        stateMachine.restarted(node.index(), node.storage().startOffset());
    }

    StateMachineSafety stateMachine() {
        return stateMachine;
    }

    int elections() {
        return elections.elections();
    }

    long maxCommitEnd() {
        return maxCommitEnd;
    }
}
