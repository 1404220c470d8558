package io.flotilla.raft;

import io.flotilla.raft.RaftMessage.AppendRequest;
import io.flotilla.raft.RaftMessage.AppendResponse;
import io.flotilla.raft.RaftMessage.Quiesce;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.function.IntPredicate;

import static io.flotilla.raft.TestCluster.GROUP;
import static io.flotilla.raft.TestCluster.member;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Quiescence message by message: when a group may go quiet, what wakes it, and that it never stays stuck. */
class QuiescenceTest {
    private static final IntPredicate ALL_LIVE = node -> true;
    private static final int TIMEOUT = RaftConfig.DEFAULTS.electionTimeoutTicks();

    /** Elects node 1, commits one value everywhere and lets the whole group go quiet. */
    private static TestCluster quietGroup() {
        TestCluster c = new TestCluster(3, RaftConfig.DEFAULTS);
        RaftNode leader = c.elect(1);
        c.propose(leader, "a");
        assertTrue(leader.tryQuiesce(ALL_LIVE));
        c.deliverAll();
        for (int id = 1; id <= 3; id++) {
            assertTrue(c.node(id).quiet(), "node " + id + " is quiet");
        }
        return c;
    }

    @Test
    void aSettledLeaderQuiescesItsCaughtUpFollowersFollowAndNobodySendsAnythingAfterwards() {
        TestCluster c = quietGroup();
        long term = c.node(1).term();
        for (int i = 0; i < 5 * TIMEOUT; i++) {
            c.tickAll();
            assertTrue(c.inFlight.isEmpty());
        }
        assertEquals(Role.LEADER, c.node(1).role());
        for (int id = 1; id <= 3; id++) {
            assertEquals(term, c.node(id).term(), "nobody campaigned on " + id);
            assertEquals(2, c.node(id).commitEnd());
            assertEquals(List.of("a"), c.appliedValues(id));
        }
    }

    @Test
    void theQuiesceMessageCarriesTheCommitEndToAFollowerThatHasTheWholeLog() {
        TestCluster c = new TestCluster(3, RaftConfig.DEFAULTS);
        RaftNode leader = c.elect(1);
        c.propose(leader, "a");
        // Node 2 holds the entry but never hears that it committed: drop everything but the
        // append, then the answers, so only the leader and node 3 know the commit end.
        leader.propose(java.nio.ByteBuffer.wrap("b".getBytes()), 1);
        c.deliverWhile(m -> !(m instanceof AppendRequest a && a.to().equals(member(2)) && a.entries().isEmpty()));
        assertTrue(c.node(2).commitEnd() < leader.commitEnd());
        assertTrue(leader.tryQuiesce(ALL_LIVE));
        c.deliverAll();
        assertEquals(leader.commitEnd(), c.node(2).commitEnd());
        assertEquals(List.of("a", "b"), c.appliedValues(2));
    }

    @Test
    void aLeaderWithAnUncommittedProposalDoesNotQuiesce() {
        TestCluster c = new TestCluster(3, RaftConfig.DEFAULTS);
        RaftNode leader = c.elect(1);
        leader.propose(java.nio.ByteBuffer.wrap("a".getBytes()), 1);
        assertFalse(leader.tryQuiesce(ALL_LIVE), "unpersisted and uncommitted");
        c.process(); // persisted here, but the followers have not acknowledged
        assertFalse(leader.tryQuiesce(ALL_LIVE), "uncommitted");
        c.deliverAll();
        assertTrue(leader.tryQuiesce(ALL_LIVE));
    }

    @Test
    void aLaggingLiveFollowerHoldsQuiescenceBackButOneOnADeadNodeDoesNot() {
        TestCluster c = new TestCluster(3, RaftConfig.DEFAULTS);
        RaftNode leader = c.elect(1);
        c.isolated.add(member(3));
        c.propose(leader, "a"); // commits on nodes 1 and 2
        assertFalse(leader.tryQuiesce(ALL_LIVE), "node 3 has not acknowledged the entry");
        assertTrue(leader.tryQuiesce(node -> node != 3), "node 3's node is down: it is not waited for");
        c.deliverAll();
        assertTrue(c.node(2).quiet());
        assertFalse(c.node(3).quiet(), "node 3 heard nothing");
    }

    @Test
    void aTransferInProgressPreventsQuiescenceAndATransferWakesAQuietGroup() {
        TestCluster c = new TestCluster(3, RaftConfig.DEFAULTS);
        RaftNode leader = c.elect(1);
        c.isolated.add(member(3));
        c.propose(leader, "a");
        leader.transferLeadership(member(3)); // node 3 must catch up first
        assertFalse(leader.tryQuiesce(node -> node != 3));

        TestCluster q = quietGroup();
        q.node(1).transferLeadership(member(2));
        assertFalse(q.node(1).quiet());
        q.deliverAll();
        assertEquals(Role.LEADER, q.node(2).role(), "the TimeoutNow woke the target, which took over");
    }

    @Test
    void aProposalWakesTheGroupAndItQuiescesAgainOnceCommitted() {
        TestCluster c = quietGroup();
        RaftNode leader = c.node(1);
        leader.propose(java.nio.ByteBuffer.wrap("b".getBytes()), 1);
        assertFalse(leader.quiet());
        c.deliverAll();
        assertFalse(c.node(2).quiet(), "the append woke node 2");
        assertEquals(List.of("a", "b"), c.appliedValues(2));
        assertTrue(leader.tryQuiesce(ALL_LIVE));
        c.deliverAll();
        assertTrue(c.node(2).quiet() && c.node(3).quiet());
    }

    @Test
    void aLeaderWithAReadAwaitingConfirmationDoesNotQuiesce() {
        TestCluster c = new TestCluster(3, RaftConfig.DEFAULTS);
        RaftNode leader = c.elect(1);
        c.propose(leader, "a"); // both followers were just heard from
        leader.readIndex(7);
        c.process(); // the confirmation round goes out; its answers are still in flight
        assertFalse(leader.tryQuiesce(ALL_LIVE), "a quiet leader would leave the read waiting");
        c.deliverAll();
        assertEquals(List.of(new ReadState(7, leader.commitEnd())), c.reads.get(member(1)));
        assertTrue(leader.tryQuiesce(ALL_LIVE));
    }

    @Test
    void aReadIndexWakesAQuietLeaderAndIsConfirmed() {
        TestCluster c = quietGroup();
        RaftNode leader = c.node(1);
        leader.readIndex(7);
        assertFalse(leader.quiet());
        c.deliverAll();
        assertEquals(List.of(new ReadState(7, leader.commitEnd())), c.reads.get(member(1)));
    }

    @Test
    void aLateAnswerToAHeartbeatDoesNotWakeAQuietLeader() {
        TestCluster c = new TestCluster(3, RaftConfig.DEFAULTS);
        RaftNode leader = c.elect(1);
        leader.tick(); // heartbeats
        c.process();
        List<RaftMessage> heartbeats = new ArrayList<>(c.inFlight);
        c.inFlight.clear();
        for (RaftMessage m : heartbeats) {
            c.nodes.get(m.to()).step(m);
        }
        c.process(); // the answers wait in flight while the leader quiesces
        assertTrue(leader.tryQuiesce(ALL_LIVE));
        c.deliverAll();
        assertTrue(leader.quiet(), "acknowledgements of the whole log are no news");
    }

    @Test
    void aFollowerWhoseLogDoesNotEndWhereTheLeadersDoesStaysAwake() {
        TestCluster c = new TestCluster(3, RaftConfig.DEFAULTS);
        RaftNode leader = c.elect(1);
        RaftNode follower = c.node(2);
        follower.step(new Quiesce(GROUP, member(1), member(2), leader.term(), leader.commitEnd() + 5));
        assertFalse(follower.quiet());
        assertEquals(leader.commitEnd(), follower.commitEnd(), "an end it does not hold commits nothing");
    }

    @Test
    void aLostQuiesceCostsOneRefusedPreVoteAfterWhichTheGroupQuiescesAgain() {
        TestCluster c = new TestCluster(3, RaftConfig.DEFAULTS);
        RaftNode leader = c.elect(1);
        long term = leader.term();
        assertTrue(leader.tryQuiesce(ALL_LIVE));
        c.deliverWhile(m -> !m.to().equals(member(3)));
        assertFalse(c.node(3).quiet());
        // Node 3 hears nothing, pre-votes, and wakes the leader and node 2, who refuse it.
        for (int i = 0; i < 3 * TIMEOUT && leader.quiet(); i++) {
            c.node(3).tick();
            c.deliverAll();
        }
        assertFalse(leader.quiet());
        assertFalse(c.node(2).quiet());
        assertEquals(term, c.node(3).term(), "a refused pre-vote changes no term");
        c.tickAll(); // the woken leader's heartbeats bring node 3 back
        assertEquals(member(1), c.node(3).leader());
        assertEquals(Role.LEADER, leader.role());
        assertTrue(leader.tryQuiesce(ALL_LIVE));
        c.deliverAll();
        for (int id = 1; id <= 3; id++) {
            assertTrue(c.node(id).quiet(), "node " + id);
        }
    }

    @Test
    void followersThatSuspectTheirLeaderElectANewOneWithinTheRandomPartOfTheTimeout() {
        TestCluster c = quietGroup();
        long term = c.node(1).term();
        c.isolated.add(member(1));
        c.node(2).suspectLeader();
        c.node(3).suspectLeader();
        int ticks = tickInTurnUntilLeader(c, 3 * TIMEOUT);
        assertTrue(ticks <= TIMEOUT, "a new leader after " + ticks + " ticks");
        assertTrue(c.node(2).term() > term);
    }

    @Test
    void aQuietFollowerWokenByAPreVoteRefusesOnlyWhileItsLeaseLasts() {
        TestCluster c = quietGroup();
        c.isolated.add(member(1));
        // Only node 2's driver noticed: node 3 is still quiet and holds a lease on node 1.
        long term = c.node(2).term();
        c.node(2).suspectLeader();
        c.tickUntilNotRole(c.node(2), Role.FOLLOWER, 2 * TIMEOUT);
        assertFalse(c.node(3).quiet(), "the pre-vote woke node 3");
        assertEquals(Role.FOLLOWER, c.node(3).role());
        assertEquals(term, c.node(2).term(), "node 3 refused: its lease on node 1 still held");
        tickInTurnUntilLeader(c, 5 * TIMEOUT);
        assertTrue(c.node(2).role() == Role.LEADER || c.node(3).role() == Role.LEADER,
                "once node 3's lease ran out an election succeeded");
    }

    /**
     * Ticks nodes 2 and 3 one after the other, delivering after each, until one leads; returns
     * the rounds taken. (TestCluster's timeouts are fixed, so ticking both before delivering
     * would split their votes for ever.)
     */
    private static int tickInTurnUntilLeader(TestCluster c, int maxRounds) {
        int rounds = 0;
        while (c.node(2).role() != Role.LEADER && c.node(3).role() != Role.LEADER && rounds < maxRounds) {
            for (int id = 2; id <= 3; id++) {
                c.node(id).tick();
                c.deliverAll();
            }
            rounds++;
        }
        return rounds;
    }

    @Test
    void aWokenLeaderCutOffFromAMajorityCannotQuiesceAndStepsDown() {
        TestCluster c = quietGroup();
        RaftNode leader = c.node(1);
        c.isolated.add(member(1));
        leader.wake(); // its driver stopped hearing from nodes 2 and 3
        IntPredicate othersDown = node -> node == 1;
        assertFalse(leader.tryQuiesce(othersDown), "the acknowledgements it had are from before the quiet spell");
        int ticks = 0;
        while (leader.role() == Role.LEADER && ticks < 3 * TIMEOUT) {
            assertFalse(leader.tryQuiesce(othersDown));
            leader.tick();
            c.deliverAll();
            ticks++;
        }
        assertEquals(Role.FOLLOWER, leader.role(), "check-quorum deposed it after " + ticks + " ticks");
    }

    @Test
    void aQuiesceFromADeposedLeaderIsAnsweredWithTheNewerTerm() {
        TestCluster c = new TestCluster(3, RaftConfig.DEFAULTS);
        RaftNode oldLeader = c.elect(1);
        long oldTerm = oldLeader.term();
        oldLeader.transferLeadership(member(2));
        c.deliverAll();
        assertEquals(Role.LEADER, c.node(2).role());
        RaftNode node3 = c.node(3);
        node3.step(new Quiesce(GROUP, member(1), member(3), oldTerm, 1));
        assertFalse(node3.quiet());
        Ready ready = node3.ready();
        AppendResponse answer = (AppendResponse) ready.sendAfterPersist().get(0);
        assertEquals(member(1), answer.to());
        assertTrue(answer.term() > oldTerm && !answer.success());
    }
}
