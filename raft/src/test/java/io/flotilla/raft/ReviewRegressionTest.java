package io.flotilla.raft;

import io.flotilla.raft.RaftMessage.AppendRequest;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Safety holes a review found, each pinned by the scenario that exposed it. */
class ReviewRegressionTest {
    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);

    @Test
    void aTruncatedMembershipChangeIsUndoneAlsoAfterARestart() {
        TestCluster c = new TestCluster(3, RaftConfig.DEFAULTS);
        RaftNode leader = c.elect(1);
        c.isolated.add(TestCluster.member(1));
        leader.proposeMembership(leader.membership().remove(TestCluster.member(3))); // persisted on node 1 only
        c.deliverAll();
        c.restart(1);
        assertEquals(2, c.node(1).membership().voters().size(), "the uncommitted change is in force after restart");
        RaftNode newLeader = c.elect(2);
        c.propose(newLeader, "overwrites the change");
        c.isolated.clear();
        for (int i = 0; i < 5; i++) {
            c.tickAll();
        }
        assertEquals(3, c.node(1).membership().voters().size(), "the truncation restored the previous membership");
        assertEquals(List.of("overwrites the change"), c.appliedValues(1));
    }

    @Test
    void aSingleVoterLeaderSendsNothingBeforeItsNewTermIsDurable() {
        MemberId voter = TestCluster.member(1);
        MemberId learner = TestCluster.member(2);
        Membership membership = Membership.ofVoters(voter).addLearner(learner);
        RaftNode node = new RaftNode(TestCluster.GROUP, voter, RaftConfig.DEFAULTS, new MemoryStorage(membership),
                new SplittableRandom(1));
        for (int i = 0; i < 40 && node.role() != Role.LEADER; i++) {
            node.tick();
        }
        assertEquals(Role.LEADER, node.role());
        node.propose(ByteBuffer.wrap("A".getBytes()), 1);
        Ready ready = node.ready();
        assertNotNull(ready.hardState(), "the new term is in this Ready");
        assertTrue(ready.sendNow().isEmpty(), "no append before the term is durable: " + ready.sendNow());
        assertTrue(ready.sendAfterPersist().stream().anyMatch(m -> m instanceof AppendRequest && m.to().equals(learner)));
    }

    @Test
    void theStoredCommitEndNeverCoversATailTheSameReadyTruncates() {
        MemberId self = TestCluster.member(2);
        MemberId newLeader = TestCluster.member(3);
        MemoryStorage storage = new MemoryStorage(Membership.ofVoters(TestCluster.member(1), self, newLeader));
        storage.append(List.of(
                new Entry(0, 1, 1, Entry.Type.NOOP, EMPTY),
                new Entry(1, 1, 1, Entry.Type.DATA, ByteBuffer.wrap("a".getBytes())),
                new Entry(2, 1, 1, Entry.Type.DATA, ByteBuffer.wrap("b".getBytes()))));
        storage.persist(new Ready(List.of(), -1, List.of(), new HardState(1, null, 1), List.of(), List.of()));
        RaftNode follower = new RaftNode(TestCluster.GROUP, self, RaftConfig.DEFAULTS, storage, new SplittableRandom(1));
        Entry replacement = new Entry(1, 1, 3, Entry.Type.DATA, ByteBuffer.wrap("c".getBytes()));
        follower.step(new AppendRequest(TestCluster.GROUP, newLeader, self, 3, 1, 1, List.of(replacement), 2, 0));
        Ready ready = follower.ready();
        assertEquals(1, ready.truncateFrom(), "the stale tail from offset 1 goes");
        assertEquals(3, ready.hardState().term());
        assertTrue(ready.hardState().commitEnd() <= ready.truncateFrom(),
                "stored commit end " + ready.hardState().commitEnd() + " would cover the truncated tail");
        assertEquals(2, follower.commitEnd(), "in memory the commit end moves on");
        assertFalse(ready.committed().stream().anyMatch(e -> e.baseOffset() >= 1), "nothing unpersisted is applied");
    }
}
