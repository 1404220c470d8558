package io.flotilla.jepsen.sim;

import io.flotilla.raft.RaftConfig;
import io.flotilla.raft.RaftMessage;
import io.flotilla.raft.Role;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The Raft paper's Figure 8 (§5.4.2), scripted message by message on five members: a leader
 * must not commit an entry of an earlier term by counting the replicas that hold it, because a
 * member whose last entry has a later term can still win an election and replace it. The
 * real {@code RaftNode} gets through the script; with the counting rule grafted on
 * ({@link CommitByCountingReplica}) a follower applies the entry and a checker catches the next
 * leader without it.
 */
class Figure8Test {
    private static final RaftConfig ONE_ENTRY_PER_APPEND = RaftConfig.DEFAULTS.withPreVote(false).withCheckQuorum(false)
            .withFlowControl(RaftConfig.DEFAULTS.maxInflightAppends(), RaftConfig.DEFAULTS.maxInflightBytes(), 1);
    private static final long E = 1;

    @Test
    void aLeaderCountingReplicasOfAnEarlierTermsEntryIsCaught() {
        ScriptedCluster c = new ScriptedCluster(5, CommitByCountingReplica.FACTORY, ONE_ENTRY_PER_APPEND);
        leaderOfTerm3ReplicatesEButNotItsNoOp(c);
        assertEquals(2, c.replica(0).commitEnd(), "n0 counted n0, n1, n2 holding E (term 1) and committed it");
        assertEquals(2, c.replica(1).commitEnd(), "and told n1, which committed it too");
        InvariantViolation v = assertThrows(InvariantViolation.class, () -> n4WinsTerm4(c));
        assertEquals(LeaderCompleteness.NAME, v.invariant(), v.getMessage());
    }

    @Test
    void theRealRaftNodeWaitsForItsOwnTermAndLosesNothingCommitted() {
        ScriptedCluster c = new ScriptedCluster(5, RaftNodeReplica.FACTORY, ONE_ENTRY_PER_APPEND);
        leaderOfTerm3ReplicatesEButNotItsNoOp(c);
        assertEquals(1, c.replica(1).commitEnd(), "a majority holds E, but no entry of term 3 yet: E is not committed");
        n4WinsTerm4(c);
        c.deliver(m -> true);
        c.restart(0);
        c.tick(4);
        c.deliver(m -> true);
        for (int n = 0; n < 5; n++) {
            assertEquals(3, c.replica(n).commitEnd(), "n" + n + " committed n4's log, whose term-2 no-op replaced E");
        }
    }

    /**
     * (a) n0 leads term 1 and its entry E reaches n1 only; (b) n4 leads term 2 with the votes of
     * n2 and n3, and its no-op at E's offset stays with it; (c) n0 leads term 3 with n1 and n2
     * and brings E to both, but the appends carrying its term-3 no-op are lost.
     */
    private static void leaderOfTerm3ReplicatesEButNotItsNoOp(ScriptedCluster c) {
        c.elect(0, List.of(1, 2, 3, 4));
        c.deliver(m -> true);
        assertInstanceOf(ProposeResult.Accepted.class, c.propose(0, E));
        c.deliver(m -> m.to().nodeId() == 1 || m.from().nodeId() == 1);
        c.crash(0);

        c.elect(4, List.of(2, 3));
        c.crash(4);

        c.restart(0);
        c.elect(0, List.of(1, 2));
        long term3 = c.replica(0).term();
        Predicate<RaftMessage> term3NoOp = m -> m instanceof RaftMessage.AppendRequest a
                && a.entries().stream().anyMatch(e -> e.term() == term3);
        for (int heartbeat = 0; heartbeat < 5; heartbeat++) {
            c.tick(0);
            c.deliver(term3NoOp.negate().and(m -> m.to().nodeId() != 3 && m.from().nodeId() != 3));
            c.drop(m -> true);
        }
    }

    /** (d) n0 crashes; n4 restarts and wins term 4 with n2 and n3, whose last entries are of term 1. */
    private static void n4WinsTerm4(ScriptedCluster c) {
        c.crash(0);
        c.restart(4);
        c.elect(4, List.of(2, 3));
        assertEquals(Role.LEADER, c.replica(4).role());
    }
}
