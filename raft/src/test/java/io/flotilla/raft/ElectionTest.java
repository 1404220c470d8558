package io.flotilla.raft;

import io.flotilla.raft.RaftMessage.VoteRequest;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ElectionTest {
    @Test
    void aFollowerThatHearsNoLeaderCampaignsAndWinsAndItsNoopCommitsEverywhere() {
        TestCluster c = new TestCluster(3, RaftConfig.DEFAULTS);
        RaftNode leader = c.elect(1);
        assertEquals(1, leader.term(), "pre-vote does not burn a term");
        for (int id = 2; id <= 3; id++) {
            assertEquals(Role.FOLLOWER, c.node(id).role());
            assertEquals(TestCluster.member(1), c.node(id).leader());
        }
        for (int id = 1; id <= 3; id++) {
            assertEquals(1, c.node(id).commitEnd(), "the no-op at offset 0 is committed on " + id);
            assertEquals(Entry.Type.NOOP, c.applied.get(TestCluster.member(id)).get(0).type());
        }
    }

    @Test
    void aMemberToldToCampaignNowWinsBeforeAnyTimerRunsOutAndALeaderIgnoresIt() {
        TestCluster c = new TestCluster(3, RaftConfig.DEFAULTS);
        RaftNode third = c.node(3); // the last to time out

        third.campaignNow();
        c.process();
        c.deliverAll();

        assertEquals(Role.LEADER, third.role());
        assertEquals(1, third.term(), "pre-vote first, then one term");
        third.campaignNow();
        c.node(1).campaignNow(); // knows its leader
        c.process();
        c.deliverAll();
        assertEquals(Role.LEADER, third.role());
        assertEquals(1, third.term());
        assertEquals(TestCluster.member(3), c.node(1).leader());
    }

    @Test
    void theElectionTimeoutIsRandomizedBetweenOneAndTwoTimeouts() {
        TestCluster c = new TestCluster(3, RaftConfig.DEFAULTS);
        RaftNode node = c.node(2);
        int ticks = 0;
        while (node.role() == Role.FOLLOWER && ticks < 100) {
            node.tick();
            ticks++;
        }
        assertTrue(ticks >= 10 && ticks < 20, "campaigned after " + ticks + " ticks");
    }

    @Test
    void aVoteIsGrantedOncePerTermAndOnlyToAnUpToDateLog() {
        TestCluster c = new TestCluster(3, RaftConfig.DEFAULTS.withPreVote(false));
        RaftNode voter = c.node(3);
        voter.step(new VoteRequest(TestCluster.GROUP, TestCluster.member(1), TestCluster.member(3), 5, 0, 0, false, false));
        voter.step(new VoteRequest(TestCluster.GROUP, TestCluster.member(2), TestCluster.member(3), 5, 0, 0, false, false));
        Ready ready = voter.ready();
        assertEquals(new HardState(5, TestCluster.member(1), 0), ready.hardState(), "the vote is persisted");
        assertTrue(ready.sendNow().isEmpty(), "a vote is sent only after it is durable");
        List<RaftMessage> answers = ready.sendAfterPersist();
        assertTrue(((RaftMessage.VoteResponse) answers.get(0)).granted());
        assertFalse(((RaftMessage.VoteResponse) answers.get(1)).granted(), "one vote per term");
    }

    @Test
    void aCandidateWithAStaleLogLoses() {
        TestCluster c = new TestCluster(3, RaftConfig.DEFAULTS);
        RaftNode leader = c.elect(1);
        c.propose(leader, "a");
        c.isolated.add(TestCluster.member(2));
        c.propose(leader, "b"); // node 2 misses it
        c.isolated.clear();
        c.isolated.add(TestCluster.member(1));
        // Node 2 times out: node 3 has the longer log and refuses it; node 3 then wins.
        c.tickUntilNotRole(c.node(2), Role.FOLLOWER, 100);
        for (int i = 0; i < 60 && c.node(3).role() != Role.LEADER; i++) {
            c.node(2).tick();
            c.node(3).tick();
            c.deliverAll();
        }
        assertEquals(Role.LEADER, c.node(3).role());
        assertEquals(List.of("a", "b"), c.appliedValues(3).subList(0, 2));
    }

    @Test
    void aProposalToAFollowerNamesTheLeader() {
        TestCluster c = new TestCluster(3, RaftConfig.DEFAULTS);
        c.elect(1);
        NotLeaderException e = assertThrows(NotLeaderException.class,
                () -> c.node(2).propose(java.nio.ByteBuffer.allocate(1), 1));
        assertEquals(TestCluster.member(1), e.leaderHint());
        assertTrue(e.getMessage().contains("the leader is 1."), e.getMessage());
    }

    @Test
    void aRestartedMemberKeepsItsTermAndVote() {
        TestCluster c = new TestCluster(3, RaftConfig.DEFAULTS);
        c.elect(1);
        c.restart(2);
        assertEquals(1, c.node(2).term());
        assertNull(c.node(2).leader(), "who leads is volatile");
        c.tickAll();
        c.tickAll();
        assertEquals(TestCluster.member(1), c.node(2).leader(), "the leader's heartbeat restores it");
    }
}
