package io.flotilla.raft;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class PreVoteAndCheckQuorumTest {
    @Test
    void aRejoiningPartitionedMemberCannotDeposeAHealthyLeader() {
        TestCluster c = new TestCluster(3, RaftConfig.DEFAULTS);
        RaftNode leader = c.elect(1);
        long term = leader.term();
        c.isolated.add(TestCluster.member(3));
        for (int i = 0; i < 200; i++) {
            c.tickAll(); // node 3 campaigns again and again, alone
        }
        assertEquals(term, c.node(3).term(), "pre-votes that fail do not raise the term");
        c.isolated.clear();
        for (int i = 0; i < 50; i++) {
            c.tickAll();
        }
        assertEquals(Role.LEADER, leader.role());
        assertEquals(term, leader.term(), "the healthy leader was never disturbed");
        assertEquals(TestCluster.member(1), c.node(3).leader(), "the member rejoined under the leader");
    }

    @Test
    void withoutPreVoteTheSameMemberDisruptsTheGroup() {
        TestCluster c = new TestCluster(3, RaftConfig.DEFAULTS.withPreVote(false).withCheckQuorum(false));
        RaftNode leader = c.elect(1);
        long term = leader.term();
        c.isolated.add(TestCluster.member(3));
        for (int i = 0; i < 100; i++) {
            c.node(3).tick();
            c.deliverAll();
        }
        assertEquals(true, c.node(3).term() > term + 3, "its term ran ahead: " + c.node(3).term());
    }

    @Test
    void aLeaderCutOffFromAMajorityStepsDownAfterAnElectionTimeout() {
        TestCluster c = new TestCluster(3, RaftConfig.DEFAULTS);
        RaftNode leader = c.elect(1);
        c.isolated.add(TestCluster.member(1));
        int ticks = 0;
        while (leader.role() == Role.LEADER && ticks < 100) {
            leader.tick();
            c.deliverAll();
            ticks++;
        }
        assertEquals(Role.FOLLOWER, leader.role());
        assertEquals(true, ticks <= 2 * RaftConfig.DEFAULTS.electionTimeoutTicks(), "stepped down after " + ticks);
    }
}
