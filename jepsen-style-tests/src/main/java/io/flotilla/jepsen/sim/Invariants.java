package io.flotilla.jepsen.sim;

import io.flotilla.raft.Entry;
import io.flotilla.raft.MemberId;
import io.flotilla.raft.Role;

import java.util.Arrays;
import java.util.List;
import java.util.SortedSet;
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
    private final long[] leaderLife;
    private final long[] leaderTerm;
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
        leaderLife = new long[nodes.size()];
        leaderTerm = new long[nodes.size()];
        Arrays.fill(leaderTerm, -1);
        seenLife = new long[nodes.size()];
        seenTerm = new long[nodes.size()];
        seenCommitEnd = new long[nodes.size()];
        seenLeading = new boolean[nodes.size()];
    }

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
                if (leaderLife[i] != node.life() || leaderTerm[i] != term) {
                    leaderLife[i] = node.life();
                    leaderTerm[i] = term;
                    completeness.elected(i, node.life(), term, stateMachine.committed().end(), nowMs);
                }
            }
            long commitEnd = r.commitEnd();
            boolean ledThisTerm = leading || (seenLeading[i] && seenTerm[i] == r.term()); // stepped down: removed
            if (seenLife[i] == node.life() && commitEnd > seenCommitEnd[i] && ledThisTerm) {
                commits.leaderCommitted(seenCommitEnd[i], commitEnd, voters(r));
            }
            seenLife[i] = node.life();
            seenTerm[i] = r.term();
            seenCommitEnd[i] = commitEnd;
            seenLeading[i] = leading;
            commits.check(i, node.life(), commitEnd, stateMachine.committed());
            maxCommitEnd = Math.max(maxCommitEnd, commitEnd);
        }
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
