package io.flotilla.raft;

import io.flotilla.raft.RaftMessage.AppendRequest;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ReplicationTest {
    @Test
    void entriesOccupyTheOffsetsOfTheirRecordsAndCommitEverywhereInOrder() {
        TestCluster c = new TestCluster(3, RaftConfig.DEFAULTS);
        RaftNode leader = c.elect(1);
        Entry a = leader.propose(ByteBuffer.wrap("a".getBytes()), 5);
        Entry b = leader.propose(ByteBuffer.wrap("b".getBytes()), 3);
        c.deliverAll();
        assertEquals(1, a.baseOffset(), "after the no-op at offset 0");
        assertEquals(6, b.baseOffset(), "a occupies offsets 1..5");
        for (int id = 1; id <= 3; id++) {
            assertEquals(9, c.node(id).commitEnd(), "the high watermark on " + id);
            assertEquals(List.of("a", "b"), c.appliedValues(id));
        }
    }

    @Test
    void proposalsMadeBetweenReadiesTravelInOneAppendRequestPerFollower() {
        TestCluster c = new TestCluster(3, RaftConfig.DEFAULTS);
        RaftNode leader = c.elect(1);
        for (int i = 0; i < 10; i++) {
            leader.propose(ByteBuffer.wrap(("v" + i).getBytes()), 1);
        }
        Ready ready = leader.ready();
        assertEquals(2, ready.sendNow().size(), "one append request per follower");
        assertEquals(10, ((AppendRequest) ready.sendNow().get(0)).entries().size());
        assertEquals(10, ready.entries().size(), "the leader persists the same entries in parallel");
    }

    @Test
    void aFollowerAcknowledgesOnlyAfterPersisting() {
        TestCluster c = new TestCluster(3, RaftConfig.DEFAULTS);
        RaftNode leader = c.elect(1);
        leader.propose(ByteBuffer.wrap("x".getBytes()), 1);
        Ready leaderReady = leader.ready();
        RaftNode follower = c.node(2);
        follower.step(leaderReady.sendNow().get(0));
        Ready followerReady = follower.ready();
        assertEquals(1, followerReady.entries().size());
        assertTrue(followerReady.sendNow().isEmpty(), "no acknowledgement before the fsync");
        assertEquals(1, followerReady.sendAfterPersist().size());
    }

    @Test
    void theLeaderCommitsOnlyWhatIsDurableOnAMajorityIncludingItsOwnLog() {
        TestCluster c = new TestCluster(3, RaftConfig.DEFAULTS);
        RaftNode leader = c.elect(1);
        leader.propose(ByteBuffer.wrap("x".getBytes()), 1);
        Ready ready = leader.ready(); // not persisted yet
        for (RaftMessage m : ready.sendNow()) {
            c.nodes.get(m.to()).step(m);
        }
        List<RaftMessage> acks = new ArrayList<>();
        for (int id = 2; id <= 3; id++) {
            Ready r = c.node(id).ready();
            c.storages.get(TestCluster.member(id)).persist(r);
            acks.addAll(r.sendAfterPersist());
            c.node(id).advance(r);
        }
        acks.forEach(leader::step);
        assertEquals(2, leader.commitEnd(), "two followers hold it: a majority without the leader");
        c.storages.get(TestCluster.member(1)).persist(ready);
        leader.advance(ready);
        assertEquals(2, leader.commitEnd());
    }

    @Test
    void flowControlStopsAFollowerAtTheInflightLimitUntilItAnswers() {
        RaftConfig config = RaftConfig.DEFAULTS.withFlowControl(2, 1 << 20, 1);
        TestCluster c = new TestCluster(3, config);
        RaftNode leader = c.elect(1);
        int sent = 0;
        for (int i = 0; i < 5; i++) {
            leader.propose(ByteBuffer.wrap(new byte[10]), 1);
            Ready r = leader.ready();
            sent += (int) r.sendNow().stream().filter(m -> m.to().equals(TestCluster.member(2))).count();
            c.storages.get(TestCluster.member(1)).persist(r);
            leader.advance(r);
        }
        assertEquals(2, sent, "two appends in flight to node 2, then it waits");
    }
}
